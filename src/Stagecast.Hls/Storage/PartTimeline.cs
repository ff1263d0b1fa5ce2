namespace Stagecast.Hls.Storage;

/// <summary>
/// Where the source's parts start, for its renditions to follow: each part as it opens, with the number, segment and
/// media position the source gave it. A rendition's frames carry the source's timestamps, so a rendition cuts its
/// parts where the source did and lists them under the same numbers, in segments of the same sequence numbers; a
/// player switching renditions asks for the same part by the same name. The source writes; renditions, on their own
/// threads, read (a short lock; the source never waits on a rendition).
/// </summary>
public sealed class PartTimeline
{
    /// <summary>A source part: <see cref="StartMs"/> is where its first frame is presented on the stream's timeline.</summary>
    public readonly record struct Entry(long Number, long Msn, int Index, long StartMs, double MediaStart, DateTimeOffset ProgramDateTime, bool Discontinuity);

    /// <summary>Enough parts for the segments a playlist lists, and more: older ones are of no use to a rendition.</summary>
    private const int Capacity = 512;

    private readonly object _sync = new();
    private readonly Entry[] _ring = new Entry[Capacity];
    private long _count;
    private long _baseMs = long.MinValue;

    /// <summary>The timestamp at which the source's decode times start (its first frame's); renditions use the same.</summary>
    public long BaseMs
    {
        get
        {
            lock (_sync)
            {
                return _baseMs;
            }
        }

        set
        {
            lock (_sync)
            {
                _baseMs = value;
            }
        }
    }

    public void Opened(Entry entry)
    {
        lock (_sync)
        {
            _ring[_count++ % Capacity] = entry;
        }
    }

    /// <summary>
    /// The source part that holds media time <paramref name="ms"/> (the last one starting at or before it, allowing
    /// <paramref name="tolerance"/> for rounding), and where the next part starts if it has opened already.
    /// </summary>
    public bool TryFind(long ms, long tolerance, out Entry entry, out long? nextStartMs)
    {
        lock (_sync)
        {
            long oldest = Math.Max(0, _count - Capacity);
            for (long i = _count - 1; i >= oldest; i--)
            {
                var candidate = _ring[i % Capacity];
                if (candidate.StartMs <= ms + tolerance)
                {
                    entry = candidate;
                    nextStartMs = i + 1 < _count ? _ring[(i + 1) % Capacity].StartMs : null;
                    return true;
                }
            }
        }

        (entry, nextStartMs) = (default, null);
        return false;
    }

    /// <summary>How long segment <paramref name="msn"/> of the source lasts, in seconds, if its start and end are known.</summary>
    public double? SegmentDuration(long msn)
    {
        lock (_sync)
        {
            long? start = null;
            long oldest = Math.Max(0, _count - Capacity);
            for (long i = oldest; i < _count; i++)
            {
                var entry = _ring[i % Capacity];
                if (entry.Msn == msn && start is null)
                {
                    start = entry.StartMs;
                }
                else if (entry.Msn > msn && start is { } s)
                {
                    return (entry.StartMs - s) / 1000.0;
                }
            }

            return null;
        }
    }
}
