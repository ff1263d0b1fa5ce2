using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// On shutdown every meeting session ends cleanly and its peers are told why, rather than being left for recovery.
/// It runs when stopping begins, before Kestrel waits for open requests (the front ends' sockets) to finish.
/// </summary>
public sealed class RoomsShutdown(MeetingRooms rooms, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<RoomsShutdown> logger)
    : IHostedService, IShutdownReport
{
    public const string Reason = "the server shut down";
    private static readonly TimeSpan EndWait = TimeSpan.FromSeconds(5);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() =>
        {
            long started = time.GetTimestamp();
            Task.WhenAll(rooms.All.ToList().Select(room => room.EndAsync(Reason, Reason))).Wait(EndWait);
            SlowStops.Report(logger, "ending the meetings", time.GetElapsedTime(started));
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Meetings with someone in them, and how many.</summary>
    public string? InProgress()
    {
        var meetings = rooms.All.Where(room => room.Peers.Count > 0).ToList();
        int peers = meetings.Sum(room => room.Peers.Count);
        return meetings.Count == 0 ? null
            : $"{meetings.Count} meeting{(meetings.Count == 1 ? "" : "s")} with {peers} participant{(peers == 1 ? "" : "s")}";
    }
}
