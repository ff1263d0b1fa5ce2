namespace Stagecast.Server.Features.Realtime;

/// <summary>On shutdown every meeting session ends cleanly (its peers are told why), rather than being left for recovery.</summary>
public sealed class RealtimeShutdown(MeetingRooms rooms) : IHostedService
{
    public const string Reason = "the server shut down";

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(rooms.All.ToList().Select(room => room.EndAsync(Reason, Reason)));
}
