using System.Data.Common;
using System.Threading.Channels;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Webhooks;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>
/// Persists session events in order on one background task, so the media plane never waits for the database.
/// The queue is bounded; on shutdown it is drained before the process exits. Transient database errors are retried.
/// </summary>
public sealed partial class LivestreamSessionWriter(ILivestreamStore livestreams, ILivestreamSessionStore store, LivestreamWebhookEvents webhooks, TimeProvider time, ILogger<LivestreamSessionWriter> logger) : BackgroundService
{
    private const int Capacity = 10_000;
    private readonly Channel<LivestreamSessionEvent> _events = Channel.CreateBounded<LivestreamSessionEvent>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;

    public void Enqueue(LivestreamSessionEvent sessionEvent)
    {
        Interlocked.Increment(ref _pending);
        if (!_events.Writer.TryWrite(sessionEvent))
        {
            Interlocked.Decrement(ref _pending);
            Log.QueueFull(logger, sessionEvent.GetType().Name);
        }
    }

    /// <summary>Completes when every event enqueued so far is written (for tests and shutdown).</summary>
    public Task WhenIdleAsync()
    {
        lock (_events)
        {
            return Volatile.Read(ref _pending) == 0 ? Task.CompletedTask : _idle.Task;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _events.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not cancelled by stoppingToken: on shutdown the queue is completed and drained.
        await foreach (var sessionEvent in _events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            await WriteWithRetriesAsync(sessionEvent).ConfigureAwait(false);
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                lock (_events)
                {
                    _idle.TrySetResult();
                    _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
    }

    private async Task WriteWithRetriesAsync(LivestreamSessionEvent sessionEvent)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(sessionEvent).ConfigureAwait(false);
                return;
            }
            catch (DbException ex) when (attempt < 5)
            {
                Log.Retrying(logger, ex, sessionEvent.GetType().Name, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt * attempt), time).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.Failed(logger, ex, sessionEvent.GetType().Name);
                return;
            }
        }
    }

    private async Task WriteAsync(LivestreamSessionEvent sessionEvent)
    {
        var now = time.GetUtcNow();
        switch (sessionEvent)
        {
            case LivestreamSessionEvent.Started started:
                if (await livestreams.FindLivestreamAsync(started.LivestreamId, CancellationToken.None).ConfigureAwait(false) is not { } livestream)
                {
                    return; // deleted meanwhile
                }

                await store.StartSessionAsync(
                    new LivestreamSession(started.SessionId, started.LivestreamId, livestream.AppId, null, null, started.StartedTime, null, 0, 0, now, now),
                    [webhooks.Status(livestream, "LIVE")],
                    CancellationToken.None).ConfigureAwait(false);
                break;
            case LivestreamSessionEvent.Invoked invoked:
                await store.InvokeSessionAsync(invoked.Session, CancellationToken.None).ConfigureAwait(false);
                break;
            case LivestreamSessionEvent.Progressed progressed:
                await store.UpdateSessionProgressAsync(progressed.Sessions, CancellationToken.None).ConfigureAwait(false);
                break;
            case LivestreamSessionEvent.Ended ended:
                // OFFLINE when a broadcast ends; IDLE when a meeting livestream's wait for media ends without one.
                var ending = await livestreams.FindLivestreamAsync(ended.LivestreamId, CancellationToken.None).ConfigureAwait(false);
                // Stamped with the time it happened, not the time it is written.
                await store.EndSessionAsync(
                    new LivestreamSession(ended.SessionId, ended.LivestreamId, "", ended.ErrMessage, null, ended.StartedTime, ended.StoppedTime,
                        ended.IngestSeconds, ended.ViewerSeconds, ended.StoppedTime, ended.StoppedTime),
                    ended.Status,
                    ending is null ? [] : [webhooks.Status(ending, ended.StartedTime is null ? "IDLE" : "OFFLINE")],
                    recovery: false,
                    CancellationToken.None).ConfigureAwait(false);
                break;
            case LivestreamSessionEvent.RenditionChanged rendition:
                if (await livestreams.FindLivestreamAsync(rendition.Status.LivestreamId, CancellationToken.None).ConfigureAwait(false) is { } changed)
                {
                    await store.AppendEventsAsync([webhooks.Rendition(changed, rendition.Status)], now, CancellationToken.None).ConfigureAwait(false);
                }

                break;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Session queue full: dropped a {Event} event")]
        public static partial void QueueFull(ILogger logger, string @event);

        [LoggerMessage(2, LogLevel.Warning, "Writing a {Event} event failed (attempt {Attempt}); retrying")]
        public static partial void Retrying(ILogger logger, Exception exception, string @event, int attempt);

        [LoggerMessage(3, LogLevel.Error, "Writing a {Event} event failed")]
        public static partial void Failed(ILogger logger, Exception exception, string @event);
    }
}
