using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stagecast.Media;

namespace Stagecast.Streaming;

/// <summary>
/// The registry of live streams: one per stream id. Ingest sessions publish through it; readers (HLS, restream,
/// recorder) attach to its streams; observers learn when streams start, lose and regain publishers, and end.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A CancellationTokenSource with no timer and no links holds nothing to dispose; its token is held until the process ends")]
public sealed partial class StreamHub
{
    private readonly ConcurrentDictionary<string, HubStream> _streams = new(StringComparer.Ordinal);
    private readonly object _publishSync = new();
    private readonly CancellationTokenSource _shuttingDown = new();
    private readonly StreamHubOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<StreamHub> _logger;
    private readonly List<IHubStreamObserver> _observers;

    public StreamHub(IOptions<StreamHubOptions> options, TimeProvider time, IEnumerable<IHubStreamObserver> observers, ILogger<StreamHub> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _observers = [.. observers];
    }

    public StreamHubOptions Options => _options;

    public ICollection<HubStream> Streams => _streams.Values;

    /// <summary>Adds an observer after construction (components that themselves depend on the hub).</summary>
    public void AddObserver(IHubStreamObserver observer)
    {
        lock (_observers)
        {
            _observers.Add(observer);
        }
    }

    public HubStream? Find(string streamId) =>
        _streams.TryGetValue(streamId, out var stream) && stream.State != HubStreamState.Ended ? stream : null;

    /// <summary>
    /// Starts or continues publishing to a stream id. A stream waiting for its publisher resumes; a live stream is
    /// taken over only when its publisher has been silent longer than the stale timeout.
    /// </summary>
    public PublishResult TryPublish(string streamId, PublisherInfo info, out Publisher? publisher)
    {
        PublishResult result;
        lock (_publishSync)
        {
            if (_streams.TryGetValue(streamId, out var existing) && existing.TryAttachPublisher(info) is var (attachResult, attached))
            {
                publisher = attached;
                result = attachResult;
            }
            else
            {
                var stream = new HubStream(streamId, this, _options, _time);
                publisher = stream.AttachFirstPublisher(info);
                _streams[streamId] = stream;
                result = PublishResult.Started;
            }
        }

        switch (result)
        {
            case PublishResult.Started:
                Log.StreamStarted(_logger, streamId, info.Protocol, info.RemoteAddress);
                Notify(publisher!.Stream, static (o, s) => o.OnStreamStarted(s));
                break;
            case PublishResult.Resumed or PublishResult.TookOver:
                Log.PublisherResumed(_logger, streamId, result, info.RemoteAddress);
                Notify(publisher!.Stream, static (o, s) => o.OnPublisherResumed(s));
                break;
            default:
                Log.PublishRefused(_logger, streamId, info.RemoteAddress);
                break;
        }

        return result;
    }

    /// <summary>Disconnects the publisher of a stream and ends it now (disable, key reset, operator stop).</summary>
    public bool Stop(string streamId, string reason)
    {
        if (Find(streamId) is not { } stream)
        {
            return false;
        }

        stream.End(StreamEndKind.Stopped, reason);
        return true;
    }

    /// <summary>
    /// Cancelled by <see cref="StopAll"/> once every stream has ended: ingest sessions close on it, so a publisher
    /// going away at shutdown is never taken for a dropped one waiting to reconnect.
    /// </summary>
    public CancellationToken ShuttingDown => _shuttingDown.Token;

    /// <summary>Ends every stream, then signals <see cref="ShuttingDown"/> (server shutdown).</summary>
    public void StopAll(string reason)
    {
        foreach (var stream in _streams.Values)
        {
            stream.End(StreamEndKind.Stopped, reason);
        }

        _shuttingDown.Cancel();
    }

    internal void NotifyPublisherLeft(HubStream stream)
    {
        Log.PublisherLeft(_logger, stream.Id, _options.ReconnectWindow.TotalSeconds);
        Notify(stream, static (o, s) => o.OnPublisherLeft(s));
    }

    internal void NotifyTracksKnown(HubStream stream, StreamTracks missing)
    {
        if (missing != StreamTracks.None)
        {
            Log.TrackGivenUp(_logger, stream.Id, missing, _options.TrackWait.TotalSeconds);
        }

        Notify(stream, static (o, s) => o.OnTracksKnown(s));
    }

    internal void OnStreamEnded(HubStream stream)
    {
        _streams.TryRemove(new KeyValuePair<string, HubStream>(stream.Id, stream));
        Log.StreamEnded(_logger, stream.Id, stream.EndReason ?? "unpublished");
        Notify(stream, static (o, s) => o.OnStreamEnded(s));
        if (_streams.IsEmpty)
        {
            MediaBufferPool.Shared.Trim(); // nothing live: what the pool kept for the next messages is not needed
        }
    }

    private void Notify(HubStream stream, Action<IHubStreamObserver, HubStream> action)
    {
        IHubStreamObserver[] observers;
        lock (_observers)
        {
            observers = [.. _observers];
        }

        foreach (var observer in observers)
        {
            try
            {
                action(observer, stream);
            }
            catch (Exception ex)
            {
                Log.ObserverFailed(_logger, ex, observer.GetType().Name, stream.Id);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Stream {StreamId} started: {Protocol} publisher from {RemoteAddress}")]
        public static partial void StreamStarted(ILogger logger, string streamId, string protocol, string remoteAddress);

        [LoggerMessage(2, LogLevel.Debug, "Stream {StreamId} continues ({Result}) with a publisher from {RemoteAddress}")]
        public static partial void PublisherResumed(ILogger logger, string streamId, PublishResult result, string remoteAddress);

        [LoggerMessage(3, LogLevel.Debug, "Stream {StreamId} refused a second publisher from {RemoteAddress}: the current one is still sending")]
        public static partial void PublishRefused(ILogger logger, string streamId, string remoteAddress);

        [LoggerMessage(4, LogLevel.Information, "Stream {StreamId} lost its publisher; waiting {Seconds} s for it to reconnect")]
        public static partial void PublisherLeft(ILogger logger, string streamId, double seconds);

        [LoggerMessage(5, LogLevel.Debug, "Stream {StreamId} ended: {Reason}")]
        public static partial void StreamEnded(ILogger logger, string streamId, string reason);

        [LoggerMessage(7, LogLevel.Warning, "Stream {StreamId} goes on without its declared {Track} track: no configuration for it within {Seconds} s")]
        public static partial void TrackGivenUp(ILogger logger, string streamId, StreamTracks track, double seconds);

        [LoggerMessage(6, LogLevel.Error, "Stream observer {Observer} failed for stream {StreamId}")]
        public static partial void ObserverFailed(ILogger logger, Exception exception, string observer, string streamId);
    }
}
