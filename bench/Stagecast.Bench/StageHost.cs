using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Stagecast.Server;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Bench;

/// <summary>
/// The server of the webinar scenario (<c>Stagecast.Bench serve-stage ARGS</c>, a process of its own that the load
/// tool measures): Stagecast as its Program builds it (<see cref="StagecastApp"/>, the same arguments and thread-pool
/// setting), plus one endpoint on loopback standing in for a peer's own stage join, which no front end carries yet
/// (the realtime channel and RealtimeKit's socket get it with issue #53): <c>POST /bench/stage/join/{meeting}/{participant}</c>
/// joins that participant's peer to the stage, as its join message will.
/// </summary>
public static class StageHost
{
    public const string Command = "serve-stage";

    public static async Task<int> RunAsync(string[] args)
    {
        var app = StagecastApp.Build(args);
        app.MapPost("/bench/stage/join/{meetingId}/{participantId}", async (string meetingId, string participantId, MeetingRooms rooms) =>
        {
            var room = rooms.Find(meetingId);
            if (room?.Peers.LastOrDefault(p => p.Participant.Id == participantId) is not { } peer)
            {
                return Results.NotFound();
            }

            return Results.Text((await room.JoinStageAsync(peer)).ToString());
        });
        await app.RunAsync();
        return 0;
    }
}
