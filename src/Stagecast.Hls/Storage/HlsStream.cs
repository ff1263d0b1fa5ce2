using System.Buffers;
using System.Collections.Immutable;
using Stagecast.Media.Fmp4;
using Stagecast.Media.Hls;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Hls.Storage;

/// <summary>
/// The LL-HLS output of one live stream held in memory: initialization segments, a sliding window of segments
/// and their parts, and the current rendered playlist. One writer (the muxer) adds parts; any number of HTTP
/// requests read, or wait for, what they need. A source stream may have renditions (its ladder's encodes): streams
/// of their own that share its epoch, its viewer accounting and, through <see cref="Timeline"/>, its part numbers.
/// </summary>
public sealed partial class HlsStream
{
    private readonly object _sync = new();
    private readonly HlsOptions _options;
    private readonly TimeProvider _time;
    private readonly MediaPlaylistHeader _header;
    private readonly List<HlsSegment> _segments = [];
    private readonly Dictionary<int, (byte[] Bytes, TrackLayout Layout)> _inits = [];
    private readonly ArrayBufferWriter<byte> _render = new(4096);
    private readonly List<PlaylistSegment> _renderSegments = [];
    private HlsSegment? _open;
    private int _listedFrom;
    private long _nextMsn;
    private long _nextPartNumber;
    private long _discontinuitySequence;
    private int _mapId = -1;
    private double _mediaTime;
    private bool _ended;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PlaylistSnapshot? _snapshot;
    private long _lastListingDelayTicks;
    private readonly HlsStream? _source;
    private ImmutableArray<HlsStream> _renditions = [];

    /// <summary>EXT-X-TARGETDURATION, in seconds.</summary>
    public int TargetDurationSeconds => _header.TargetDuration;

    public HlsStream(string streamId, string epoch, HlsOptions options, TimeProvider time)
    {
        _time = time;
        StreamId = streamId;
        Epoch = epoch;
        Viewers = new ViewerAccounting(time);
        _options = options;
        _header = new MediaPlaylistHeader(options.TargetDurationSeconds, options.PartTarget.TotalSeconds);
        Timeline = new PartTimeline();
    }

    /// <summary>A rendition of <paramref name="source"/>: same id, epoch and viewers; files named after the rendition.</summary>
    public HlsStream(HlsStream source, string rendition)
    {
        _time = source._time;
        _options = source._options;
        _header = source._header;
        _source = source;
        StreamId = source.StreamId;
        Epoch = source.Epoch;
        Viewers = source.Viewers;
        Rendition = rendition;
    }

    /// <summary>The rendition's name (e.g. "360p"); null for the source.</summary>
    public string? Rendition { get; }

    /// <summary>Where the source's parts start (null on a rendition, which follows its source's).</summary>
    public PartTimeline? Timeline { get; }

    /// <summary>The source's renditions being packaged now, from the highest.</summary>
    public ImmutableArray<HlsStream> Renditions => _renditions;

    /// <summary>Adds an encode; one of the same name packaged before (its encoder started again) is dropped.</summary>
    public void AddRendition(HlsStream rendition)
    {
        HlsStream? replaced = null;
        ImmutableInterlocked.Update(ref _renditions, list =>
        {
            replaced = list.FirstOrDefault(r => r.Rendition == rendition.Rendition);
            return (replaced is null ? list : list.Remove(replaced)).Add(rendition).Sort(ByHeightDescending);
        });
        replaced?.Dispose();
    }

    public HlsStream? FindRendition(string rendition) => Renditions.FirstOrDefault(r => r.Rendition == rendition);

    /// <summary>Renditions are ordered by the ladder's heights (their layouts are not known yet when they are added).</summary>
    private static int ByHeightDescending(HlsStream a, HlsStream b) => Height(b).CompareTo(Height(a));

    private static int Height(HlsStream rendition) => RenditionLadder.Find(rendition.Rendition!)?.Height ?? 0;

    public string StreamId { get; }

    /// <summary>Distinguishes this broadcast's URLs from any earlier one of the same stream id.</summary>
    public string Epoch { get; }

    public MediaPlaylistHeader Header => _header;

    /// <summary>Viewer seconds and active players of this broadcast.</summary>
    public ViewerAccounting Viewers { get; }

    /// <summary>The latest published playlist, or null before the first part.</summary>
    public PlaylistSnapshot? Snapshot => Volatile.Read(ref _snapshot);

    public bool IsEnded => Volatile.Read(ref _ended);

    /// <summary>How long after its last frame arrived the newest part was listed.</summary>
    public TimeSpan LastPartListingDelay => TimeSpan.FromTicks(Volatile.Read(ref _lastListingDelayTicks));

    /// <summary>The track layout of the newest initialization segment.</summary>
    public TrackLayout? CurrentLayout
    {
        get
        {
            lock (_sync)
            {
                return _mapId >= 0 ? _inits[_mapId].Layout : null;
            }
        }
    }

    /// <summary>Registers a new initialization segment; segments opened afterwards refer to it.</summary>
    public int AddInit(TrackLayout layout, byte[] bytes)
    {
        lock (_sync)
        {
            _inits[++_mapId] = (bytes, layout);
            return _mapId;
        }
    }

    public void OpenSegment(bool discontinuity, DateTimeOffset programDateTime)
    {
        lock (_sync)
        {
            if (_open is not null)
            {
                throw new InvalidOperationException("a segment is already open");
            }

            _open = new HlsSegment(new PlaylistSegment(_nextMsn++, _mapId, programDateTime, discontinuity && _segments.Count > 0));
            _segments.Add(_open);
        }
    }

    /// <summary>
    /// A rendition opens the segment its source gave this sequence number; the source's segments it does not have
    /// (its transcoder was behind) are listed as gaps of <paramref name="gapDuration"/> so the numbers stay the same.
    /// </summary>
    public void OpenSegment(long msn, bool discontinuity, DateTimeOffset programDateTime, Func<long, double> gapDuration)
    {
        lock (_sync)
        {
            if (_segments.Count == 0)
            {
                _nextMsn = msn;
            }

            // Each gap ends where the next segment starts: program date-times run back from the segment opening now.
            int insertAt = _segments.Count;
            var end = programDateTime;
            for (long gap = msn - 1; gap >= _nextMsn; gap--)
            {
                double duration = gapDuration(gap);
                end = end.AddSeconds(-duration);
                _segments.Insert(insertAt, new HlsSegment(PlaylistSegment.Gap(gap, _mapId, end, duration)));
            }

            _nextMsn = Math.Max(_nextMsn, msn);
        }

        OpenSegment(discontinuity, programDateTime);
    }

    /// <summary>Records that a part opens at <paramref name="startMs"/>, with the number and place it will be stored under.</summary>
    public void RecordPartStart(long startMs)
    {
        lock (_sync)
        {
            if (Timeline is not null && _open is not null)
            {
                Timeline.Opened(new PartTimeline.Entry(_nextPartNumber, _open.Msn, _open.Parts.Count, startMs, _mediaTime,
                    _open.Info.ProgramDateTime, _open.Info.Discontinuity));
            }
        }
    }

    public bool HasOpenSegment
    {
        get
        {
            lock (_sync)
            {
                return _open is not null;
            }
        }
    }

    /// <summary>Media time in the open segment, in seconds.</summary>
    public double OpenSegmentDuration
    {
        get
        {
            lock (_sync)
            {
                return _open?.Info.Duration ?? 0;
            }
        }
    }

    /// <summary>
    /// Adds a part to the open segment; the store takes over the buffer reference. A rendition's part is added
    /// <paramref name="at"/> the number and media position its source gave the same part.
    /// </summary>
    public long AddPart(PartBuffer buffer, double duration, bool independent, long lastFrameReceivedAt, (long Number, double MediaStart)? at = null)
    {
        lock (_sync)
        {
            if (at is var (number, mediaStart))
            {
                (_nextPartNumber, _mediaTime) = (number, mediaStart);
            }

            var segment = _open ?? throw new InvalidOperationException("no open segment");
            var part = new HlsPart(_nextPartNumber++, segment.Msn, segment.Parts.Count, buffer, duration, independent, lastFrameReceivedAt, _mediaTime);
            _mediaTime += duration;
            segment.Add(part);
            return part.Number;
        }
    }

    public void CompleteSegment()
    {
        lock (_sync)
        {
            if (_open is null)
            {
                return;
            }

            if (_open.Parts.Count == 0)
            {
                _segments.Remove(_open);
                _nextMsn--;
            }
            else
            {
                _open.Info.Complete();
            }

            _open = null;
        }
    }

    /// <summary>No more parts will come: the playlist gets EXT-X-ENDLIST and waiters are released.</summary>
    public void End()
    {
        CompleteSegment();
        lock (_sync)
        {
            _ended = true;
        }

        Publish();
    }

    /// <summary>Evicts old segments, publishes a new snapshot and wakes every waiting request.</summary>
    public void Publish()
    {
        TaskCompletionSource changed;
        lock (_sync)
        {
            Evict();
            PlaylistSegment? lastWithParts = null;
            long lastComplete = -1;
            for (int i = _segments.Count - 1; i >= _listedFrom && (lastWithParts is null || lastComplete < 0); i--)
            {
                var info = _segments[i].Info;
                if (lastWithParts is null && info.Parts.Count > 0)
                {
                    lastWithParts = info;
                }

                if (lastComplete < 0 && info.IsComplete)
                {
                    lastComplete = info.SequenceNumber;
                }
            }

            if (lastWithParts is null)
            {
                return; // nothing to list yet
            }

            RecordListingDelays(lastWithParts.Parts[^1].Number);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _snapshot, new PlaylistSnapshot(
                lastWithParts.SequenceNumber,
                lastWithParts.Parts.Count - 1,
                lastWithParts.Parts[^1].Number,
                lastComplete,
                _ended,
                _changed.Task)
            { Source = this });
        }

        changed.TrySetResult();
    }

    /// <summary>
    /// Renders the current playlist for the first request that asks for it (<see cref="PlaylistSnapshot.Playlist"/>);
    /// an older snapshot still held by a request gets the current playlist, which is newer than it promised.
    /// </summary>
    internal byte[] Render(PlaylistSnapshot requested)
    {
        lock (_sync)
        {
            var current = _snapshot!;
            if (current.Rendered is null && ListSegments())
            {
                _render.ResetWrittenCount();
                MediaPlaylistWriter.Write(_render, _header, _renderSegments, PartsFrom(_renderSegments), _discontinuitySequence,
                    _ended ? null : _nextPartNumber, _ended, Rendition, _ended ? null : RenditionReports());
                current.Rendered = _render.WrittenSpan.ToArray();
            }

            requested.Rendered ??= current.Rendered ?? [];
            return requested.Rendered;
        }
    }

    /// <summary>Where the other renditions of the same source stand (the source's and each encode's newest part).</summary>
    private List<RenditionReport>? RenditionReports()
    {
        var source = _source ?? this;
        var siblings = source.Renditions;
        if (siblings.IsEmpty)
        {
            return null;
        }

        var reports = new List<RenditionReport>(siblings.Length);
        foreach (var stream in siblings.Insert(0, source))
        {
            if (stream != this && stream.Snapshot is { } snapshot)
            {
                reports.Add(new RenditionReport(HlsNaming.MediaPlaylistOf(stream.Rendition), snapshot.LastPartMsn, snapshot.LastPartIndex));
            }
        }

        return reports;
    }

    /// <summary>Collects the listed segments into <see cref="_renderSegments"/>; false when there is nothing to list yet.</summary>
    private bool ListSegments()
    {
        _renderSegments.Clear();
        for (int i = _listedFrom; i < _segments.Count; i++)
        {
            _renderSegments.Add(_segments[i].Info);
        }

        if (_renderSegments.Count > 0 && _renderSegments[^1].Parts.Count == 0)
        {
            // A segment opened this moment has nothing to list yet; the one just completed must show at once.
            _renderSegments.RemoveAt(_renderSegments.Count - 1);
        }

        return _renderSegments.Count > 0;
    }

    private long _lastListedPart = -1;

    /// <summary>Records, for every part listed for the first time, how long after its last frame arrived that happened.</summary>
    private void RecordListingDelays(long newestPart)
    {
        for (int i = _segments.Count - 1; i >= 0 && _lastListedPart < newestPart; i--)
        {
            foreach (var part in _segments[i].Parts)
            {
                if (part.Number > _lastListedPart && part.LastFrameReceivedAt != 0)
                {
                    var delay = _time.GetElapsedTime(part.LastFrameReceivedAt);
                    Volatile.Write(ref _lastListingDelayTicks, delay.Ticks);
                    HlsMetrics.PartListed(delay);
                }
            }

            if (_segments[i].Parts.Count > 0 && _segments[i].Parts[0].Number <= _lastListedPart + 1)
            {
                break;
            }
        }

        _lastListedPart = newestPart;
    }

    /// <summary>Releases every buffer, its renditions' too (the stream is being dropped).</summary>
    public void Dispose()
    {
        foreach (var rendition in ImmutableInterlocked.InterlockedExchange(ref _renditions, []))
        {
            rendition.Dispose();
        }

        lock (_sync)
        {
            if (_snapshot is { Rendered: null } last)
            {
                Render(last); // requests still holding a snapshot are answered from what is released here
            }

            foreach (var segment in _segments)
            {
                segment.ReleaseParts();
            }

            _segments.Clear();
            _ended = true;
            _open = null;
        }

        _changed.TrySetResult();
    }

    /// <summary>Parts are listed for segments that end within three target durations of the live edge (RFC 8216bis 4.4.4.9).</summary>
    private int PartsFrom(List<PlaylistSegment> listed)
    {
        double horizon = 3.0 * _header.TargetDuration;
        double total = 0;
        for (int i = listed.Count - 1; i >= 0; i--)
        {
            total += listed[i].Duration;
            if (total > horizon)
            {
                return i + 1;
            }
        }

        return 0;
    }

    private void Evict()
    {
        int complete = 0;
        for (int i = _listedFrom; i < _segments.Count; i++)
        {
            if (_segments[i].Info.IsComplete)
            {
                complete++;
            }
        }

        while (complete > _options.WindowSegments)
        {
            // EXT-X-DISCONTINUITY-SEQUENCE counts the discontinuities that left the playlist (RFC 8216bis 4.4.3.3).
            if (_segments[_listedFrom].Info.Discontinuity)
            {
                _discontinuitySequence++;
            }

            if (_segments[_listedFrom].Info.IsComplete)
            {
                complete--;
            }

            _listedFrom++;
        }

        while (_listedFrom > _options.RetainedSegments)
        {
            _segments[0].ReleaseParts();
            _segments.RemoveAt(0);
            _listedFrom--;
        }

        EvictCues();
    }
}
