using Microsoft.Extensions.Options;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// Writes, every flush interval while there are rooms, that the live meeting sessions and their peers are still there: participant
/// minutes are durable like viewer seconds, and a crash loses at most one interval.
/// </summary>
public sealed partial class MeetingSessionFlushService(
    MeetingRooms rooms, IMeetingSessionStore store, IOptions<AccountingOptions> options, TimeProvider time, ILogger<MeetingSessionFlushService> logger)
    : OnDemandService(time, options.Value.FlushInterval)
{
    protected override Task TickAsync() => FlushAsync();

    protected override bool IsBusy() => rooms.All.Count > 0;

    protected override void Subscribe(Action wake) => rooms.Used += wake;

    protected override void Unsubscribe(Action wake) => rooms.Used -= wake;

    public async Task FlushAsync()
    {
        var live = rooms.All.Where(r => r.SessionId is not null).Select(r => (r.SessionId!, r.MaxConcurrentParticipants)).ToList();
        try
        {
            await store.TouchAsync(live, Time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.FlushFailed(logger, ex, live.Count);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Writing the progress of {Count} meeting sessions failed; the next flush retries")]
        public static partial void FlushFailed(ILogger logger, Exception exception, int count);
    }
}
