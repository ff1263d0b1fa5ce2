using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Rooms.Api;

/// <summary>
/// An app's server sends an app message into a meeting's session in progress (beside kick and poll): every peer
/// hears it as it hears another peer's broadcast (RealtimeKit's <c>broadcastedMessage</c>, the channel's
/// <c>broadcast_message</c> with no sender). Not stored; the peers not connected now never get it.
/// </summary>
internal static class ActiveSessionBroadcastApi
{
    public static void MapBroadcast(this RouteGroupBuilder activeSession) =>
        activeSession.MapPost("/broadcast", BroadcastAsync)
            .WithSummary("Send an app message (type, payload object) to every participant in the session; 404 when there is none");

    private static async Task<Ok<ApiResponse<BroadcastedDto>>> BroadcastAsync(
        HttpContext context, MeetingService meetings, MeetingRooms rooms, TimeProvider time, JsonBody<AppMessageRequest> body, string meeting_id)
    {
        var room = await ActiveMeetingSessionApi.LiveRoomAsync(context, meetings, rooms, meeting_id).ConfigureAwait(false);
        var request = body.Value;
        var message = AppMessage.Create(request.Type, Encoding.UTF8.GetBytes(request.Payload!.Value.GetRawText()), null, time.GetUtcNow());
        int reached = room.AppMessages.Send(message);
        return ApiResults.Ok(new BroadcastedDto("broadcast", message.Type, reached));
    }
}

/// <summary>An app message: its <c>type</c> (1 to 100 characters) and <c>payload</c>, a JSON object of up to 8 KiB.</summary>
public sealed record AppMessageRequest
{
    [Required]
    [StringLength(AppMessage.MaxTypeLength, MinimumLength = 1)]
    public string? Type { get; init; }

    [Required]
    public JsonElement? Payload { get; init; }
}

/// <summary>The message was passed on to <paramref name="Recipients"/> connected peers.</summary>
public sealed record BroadcastedDto(string Action, string Type, int Recipients);
