using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Rooms.Api;

/// <summary>A meeting's session in progress (RealtimeKit's /meetings/{meeting_id}/active-session): read it, kick, poll, its stage, app messages.</summary>
public static class ActiveMeetingSessionApi
{
    /// <summary>Its requests and answers, for the API's JSON options; in a cluster, the API on a meeting follows its room.</summary>
    public static IServiceCollection AddActiveSessionApi(this IServiceCollection services) =>
        services.AddApiJson(RoomsApiJsonContext.Default).AddSingleton<IMeetingRequests, MeetingApiRequests>();

    /// <summary>The live side of meeting sessions on REST: kick, kick-all, polls, the stage (<see cref="ActiveSessionStageApi"/>).</summary>
    public static RouteGroupBuilder MapActiveSessions(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/meetings/{meeting_id}/active-session").WithTags("Sessions");
        group.MapGet("/", GetAsync).WithSummary("The meeting's session in progress; 404 when there is none");
        group.MapPost("/kick", KickAsync).WithSummary("Disconnect participants (by participant_ids or custom_participant_ids)");
        group.MapPost("/kick-all", KickAllAsync).WithSummary("Disconnect everyone and end the session");
        group.MapPost("/poll", PollAsync).WithSummary("Create a poll in the session");
        group.MapStage();
        group.MapBroadcast();
        return api;
    }

    private static async Task<Ok<ApiResponse<MeetingSessionDto>>> GetAsync(
        HttpContext context, MeetingService meetings, IMeetingSessionStore store, TimeProvider time, string meeting_id)
    {
        await meetings.FindAsync(context.App().Id, meeting_id, context.RequestAborted).ConfigureAwait(false);
        var session = await store.FindLiveSessionAsync(meeting_id, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false) ?? throw NoSession(meeting_id);
        return ApiResults.Ok(MeetingSessionDto.From(session));
    }

    private static async Task<Ok<ApiResponse<KickedDto>>> KickAsync(
        HttpContext context, MeetingService meetings, MeetingRooms rooms, JsonBody<KickRequest> body, string meeting_id)
    {
        var room = await LiveRoomAsync(context, meetings, rooms, meeting_id).ConfigureAwait(false);
        var kicked = await room.KickAsync(body.Value.Matches, "kicked by the host").ConfigureAwait(false);
        if (kicked.Count == 0)
        {
            throw ApiException.NotFound("none of the given participants is in the session");
        }

        return ApiResults.Ok(new KickedDto("kick", kicked.Select(p => p.Participant).DistinctBy(p => p.Id).Select(p => ParticipantDto.From(p)).ToList()));
    }

    private static async Task<Ok<ApiResponse<KickedAllDto>>> KickAllAsync(HttpContext context, MeetingService meetings, MeetingRooms rooms, string meeting_id)
    {
        var room = await LiveRoomAsync(context, meetings, rooms, meeting_id).ConfigureAwait(false);
        int count = room.Peers.Count;
        await room.EndAsync("all participants were kicked", "kicked by the host").ConfigureAwait(false);
        return ApiResults.Ok(new KickedAllDto("kick-all", count));
    }

    private static async Task<Created<ApiResponse<PollCreatedDto>>> PollAsync(
        HttpContext context, MeetingService meetings, MeetingRooms rooms, JsonBody<PollRequest> body, string meeting_id)
    {
        var room = await LiveRoomAsync(context, meetings, rooms, meeting_id).ConfigureAwait(false);
        var poll = await room.Polls.CreateAsync(null, body.Value).ConfigureAwait(false);
        return TypedResults.Created($"{context.Request.Path.Value}/{poll.Id}", new ApiResponse<PollCreatedDto>(true, new PollCreatedDto("create-poll", PollView.For(poll, null))));
    }

    /// <summary>The meeting's room with its session in progress: 404 for a meeting of another app, or without a session.</summary>
    internal static async Task<MeetingRoom> LiveRoomAsync(HttpContext context, MeetingService meetings, MeetingRooms rooms, string meetingId)
    {
        await meetings.FindAsync(context.App().Id, meetingId, context.RequestAborted).ConfigureAwait(false);
        return rooms.Find(meetingId) is { SessionId: not null } room ? room : throw NoSession(meetingId);
    }

    private static ApiException NoSession(string meetingId) => ApiException.NotFound($"No active session found for meeting_id {meetingId}");
}

/// <summary>Participants a call acts on (kick, the stage): <c>participant_ids</c> (or peer ids), <c>custom_participant_ids</c>.</summary>
public sealed record KickRequest : IValidatableObject
{
    [ItemCount(0, 1000)]
    public string[]? ParticipantIds { get; init; }

    [ItemCount(0, 1000)]
    public string[]? CustomParticipantIds { get; init; }

    /// <summary>Whether it names the peer: by its participant's id (or its own), or its participant's custom id.</summary>
    public bool Matches(RoomPeer peer) =>
        (ParticipantIds ?? []).Contains(peer.Participant.Id) || (ParticipantIds ?? []).Contains(peer.Id) || (CustomParticipantIds ?? []).Contains(peer.Participant.CustomParticipantId);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if ((ParticipantIds?.Length ?? 0) + (CustomParticipantIds?.Length ?? 0) == 0)
        {
            yield return new ValidationResult("\"participant_ids\" or \"custom_participant_ids\" must name someone");
        }
    }
}

public sealed record KickedDto(string Action, IReadOnlyList<ParticipantDto> Participants);

public sealed record KickedAllDto(string Action, int KickedParticipantsCount);

public sealed record PollCreatedDto(string Action, PollView Poll);
