using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Rooms.Api;

/// <summary>
/// The stage of a meeting's session in progress, for apps (beside kick and poll): who is on it, approved and asking,
/// and granting, denying and sending off, as a host with <c>accept_stage_requests</c> would. The peers hear it as
/// from a host (<see cref="StageChanged"/> with no one as its author).
/// </summary>
internal static class ActiveSessionStageApi
{
    public static void MapStage(this RouteGroupBuilder activeSession)
    {
        var stage = activeSession.MapGroup("/stage");
        stage.MapGet("/", GetAsync).WithSummary("Who is on the stage, approved to join it, and asking for it; 404 when there is no session");
        MapAction(stage, "grant", (room, match) => room.Stage.GrantAsync(null, match),
            "Let participants on the stage (by participant_ids or custom_participant_ids): those asking, or others, invited; they join themselves");
        MapAction(stage, "deny", (room, match) => room.Stage.DenyAsync(null, match),
            "Turn down participants' requests for the stage (or withdraw their invitations); 409 for one on the stage");
        MapAction(stage, "kick", (room, match) => room.Stage.KickAsync(null, match),
            "Send participants off the stage: what they produce ends at once; they stay in the meeting");
    }

    private static void MapAction(RouteGroupBuilder stage, string action, Func<MeetingRoom, Func<RoomPeer, bool>, Task<IReadOnlyList<RoomPeer>>> act, string summary) =>
        stage.MapPost($"/{action}", (HttpContext context, MeetingService meetings, MeetingRooms rooms, JsonBody<KickRequest> body, string meeting_id) =>
            ActAsync(context, meetings, rooms, body, meeting_id, action, act)).WithSummary(summary);

    private static async Task<Ok<ApiResponse<StageDto>>> GetAsync(HttpContext context, MeetingService meetings, MeetingRooms rooms, string meeting_id)
    {
        var room = await ActiveMeetingSessionApi.LiveRoomAsync(context, meetings, rooms, meeting_id).ConfigureAwait(false);
        var peers = room.Peers.Where(p => !p.Hidden).ToList();
        return ApiResults.Ok(new StageDto(
            [.. peers.Where(p => p.Stage == StageStatus.OnStage).Select(StagePeerDto.From)],
            [.. peers.Where(p => p.Stage == StageStatus.Approved).Select(StagePeerDto.From)],
            [.. room.Stage.Requests.Select(StagePeerDto.From)]));
    }

    private static async Task<Ok<ApiResponse<StageActedDto>>> ActAsync(HttpContext context, MeetingService meetings, MeetingRooms rooms, JsonBody<KickRequest> body,
        string meetingId, string action, Func<MeetingRoom, Func<RoomPeer, bool>, Task<IReadOnlyList<RoomPeer>>> act)
    {
        var room = await ActiveMeetingSessionApi.LiveRoomAsync(context, meetings, rooms, meetingId).ConfigureAwait(false);
        var peers = await act(room, body.Value.Matches).ConfigureAwait(false);
        return peers.Count == 0
            ? throw ApiException.NotFound("none of the given participants is in the session")
            : ApiResults.Ok(new StageActedDto(action, [.. peers.Select(StagePeerDto.From)]));
    }
}

/// <summary>A peer and where it stands with the stage: <c>ON_STAGE</c>, <c>REQUESTED</c>, <c>APPROVED</c> or <c>OFF_STAGE</c>.</summary>
public sealed record StagePeerDto(
    string PeerId, string ParticipantId, string CustomParticipantId, string? Name, string? PresetName, string StageStatus, DateTimeOffset? RequestedAt)
{
    public static StagePeerDto From(RoomPeer peer) =>
        new(peer.Id, peer.Participant.Id, peer.Participant.CustomParticipantId, peer.Name, peer.Participant.PresetName, peer.Stage.Name(), peer.StageRequestedAt);
}

/// <summary>The stage now; <paramref name="Requests"/> oldest first.</summary>
public sealed record StageDto(IReadOnlyList<StagePeerDto> OnStage, IReadOnlyList<StagePeerDto> Approved, IReadOnlyList<StagePeerDto> Requests);

public sealed record StageActedDto(string Action, IReadOnlyList<StagePeerDto> Participants);
