using System.Diagnostics.CodeAnalysis;
using Stagecast.Media.Codecs;

namespace Stagecast.Streaming;

/// <summary>
/// One continuous broadcast of a stream id: it outlives publisher reconnects within the reconnect window and
/// fans media out to its readers in order. Timestamps are rewritten onto one monotonic timeline.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A CancellationTokenSource with no timer and no links holds nothing to dispose; readers hold its token past the stream's end")]
public sealed partial class HubStream
{
    private readonly object _sync = new();
    private readonly StreamHub _hub;
    private readonly StreamHubOptions _options;
    private readonly TimeProvider _time;
    private HubStreamReader[] _readers = [];
    private int _sharedViewers;

    internal HubStream(string id, StreamHub hub, StreamHubOptions options, TimeProvider time)
    {
        Id = id;
        _hub = hub;
        _options = options;
        _time = time;
        StartedAt = time.GetUtcNow();
    }

    public string Id { get; }

    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset? EndedAt { get; private set; }

    public HubStreamState State { get; private set; } = HubStreamState.Live;

    /// <summary>Why the stream ended, when it did not end by a clean unpublish.</summary>
    public string? EndReason { get; private set; }

    public StreamEndKind EndKind { get; private set; }

    /// <summary>Cancelled when the stream ends: what waits on the stream (a retry, a connect) stops at once.</summary>
    public CancellationToken Ending => _ended.Token;

    /// <summary>
    /// When the broadcast stopped, as its session records it: when the publisher left for a stream that ended
    /// because the publisher did not come back, when it ended otherwise; null while it has not ended.
    /// </summary>
    public DateTimeOffset? StoppedAt => EndKind == StreamEndKind.PublisherLost ? PublisherLeftAt ?? EndedAt : EndedAt;

    /// <summary>When the last publisher left (for a stream that ended after losing its publisher).</summary>
    public DateTimeOffset? PublisherLeftAt { get; private set; }

    /// <summary>The last error a publisher reported (malformed media, protocol violation), if any.</summary>
    public string? LastPublisherError { get; private set; }

    public VideoTrackConfig? Video { get; private set; }

    public AudioTrackConfig? Audio { get; private set; }

    public StreamMetadata? Metadata { get; private set; }

    public Publisher? Publisher { get; private set; }

    /// <summary>How many publishers have attached over the stream's life (1 unless it reconnected).</summary>
    public int PublisherCount { get; private set; }

    public IReadOnlyList<HubStreamReader> Readers => Volatile.Read(ref _readers);

    /// <summary>
    /// Adds a reader. It first receives the current configuration and metadata, then (by default) the cached
    /// group of pictures from the newest keyframe, then live frames; while the stream waits for its tracks, nothing
    /// until they are known.
    /// </summary>
    public HubStreamReader AddReader(string name, ReaderOptions? options = null) => Add(name, options ?? ReaderOptions.Default, sink: null);

    /// <summary>
    /// Adds an inline reader: <paramref name="sink"/> receives the same sequence a queued reader would (configuration,
    /// cached group of pictures, live frames), on the publisher's thread. Dispose the result to detach it.
    /// </summary>
    public HubStreamReader AddSink(string name, IHubStreamSink sink) => Add(name, ReaderOptions.Default, sink);

    private HubStreamReader Add(string name, ReaderOptions options, IHubStreamSink? sink)
    {
        lock (_sync)
        {
            bool hasGop = options.StartWithCachedGop && _gop.Count > 0;
            bool holding = Holding; // the tracks are awaited: the reader gets them when they are known
            var reader = new HubStreamReader(this, name, options, waitForKeyframe: (Video is not null || holding) && !hasGop, sink);
            if (State == HubStreamState.Ended)
            {
                reader.Complete();
                return reader;
            }

            if (Video is not null && !holding)
            {
                OfferControl(reader, MediaFrameKind.VideoConfig, Video);
            }

            if (Audio is not null && !holding)
            {
                OfferControl(reader, MediaFrameKind.AudioConfig, Audio);
            }

            if (Metadata is not null && !holding)
            {
                OfferControl(reader, MediaFrameKind.Metadata, Metadata);
            }

            if (hasGop)
            {
                foreach (var frame in _gop)
                {
                    reader.Offer(frame);
                }
            }

            if (State == HubStreamState.Reconnecting)
            {
                OfferControl(reader, MediaFrameKind.PublisherLeft, null);
            }

            _readers = [.. _readers, reader];
            return reader;
        }
    }

    internal void RemoveReader(HubStreamReader reader)
    {
        lock (_sync)
        {
            _readers = Array.FindAll(_readers, r => r != reader);
            RemoveRtpReader(reader);
        }
    }

    /// <summary>
    /// Players reading the stream now: its readers that are players (forwarded WHEP viewers, meeting subscribers) and
    /// the viewers fed from a shared reader (<see cref="AddViewer"/>).
    /// </summary>
    public int Viewers => Volatile.Read(ref _readers).Count(r => r.IsViewer) + Volatile.Read(ref _sharedViewers);

    /// <summary>Counts a player fed from a reader shared with others (a WHEP viewer of the hub's frames) until <see cref="RemoveViewer"/>.</summary>
    public void AddViewer() => Interlocked.Increment(ref _sharedViewers);

    public void RemoveViewer() => Interlocked.Decrement(ref _sharedViewers);

    private static void OfferControl(HubStreamReader reader, MediaFrameKind kind, object? detail)
    {
        var frame = MediaFrame.Control(kind, detail, 0);
        reader.Offer(frame);
        frame.Release();
    }

    /// <summary>Offers a frame to every reader; caller holds <see cref="_sync"/>.</summary>
    private void FanOut(MediaFrame frame)
    {
        foreach (var reader in _readers)
        {
            reader.Offer(frame);
        }
    }

    private void FanOutControl(MediaFrameKind kind, object? detail)
    {
        var frame = MediaFrame.Control(kind, detail, _lastTimestamp == long.MinValue ? 0 : _lastTimestamp);
        FanOut(frame);
        frame.Release();
    }
}
