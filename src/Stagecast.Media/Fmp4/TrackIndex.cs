namespace Stagecast.Media.Fmp4;

/// <summary>
/// One track of a fragmented MP4 read back (<see cref="FragmentedMovieIndex"/>): its timescale and defaults (trex), and
/// the samples its fragments held, in decode order. A gap between fragments (a decode time past the end of the samples
/// before it) becomes the previous sample's duration, as a progressive file has no other way to say it.
/// </summary>
public sealed class TrackIndex
{
    private readonly List<FragmentSample> _samples = [];
    private ulong _end;

    internal TrackIndex(uint trackId, uint timescale)
    {
        TrackId = trackId;
        Timescale = timescale;
    }

    public uint TrackId { get; }

    /// <summary>Ticks per second of the track's times (its mdhd).</summary>
    public uint Timescale { get; }

    /// <summary>The decode time of its first sample: where the track starts on the movie's timeline.</summary>
    public ulong StartTime { get; private set; }

    /// <summary>From its first sample's decode time to the end of its last.</summary>
    public ulong Duration => _samples.Count == 0 ? 0 : _end - StartTime;

    public IReadOnlyList<FragmentSample> Samples => _samples;

    internal uint DefaultDuration { get; set; }

    internal uint DefaultSize { get; set; }

    internal uint DefaultFlags { get; set; }

    /// <summary>Adds a run's samples, which start at <paramref name="decodeTime"/> when the fragment said (tfdt).</summary>
    internal void Add(ulong? decodeTime, ReadOnlySpan<FragmentSample> samples)
    {
        if (_samples.Count == 0)
        {
            StartTime = decodeTime ?? 0;
            _end = StartTime;
        }
        else if (decodeTime is { } time && time > _end)
        {
            var last = _samples[^1];
            ulong stretched = last.Duration + (time - _end);
            _samples[^1] = last with { Duration = stretched <= uint.MaxValue ? (uint)stretched : ThrowHelper.Malformed<uint>($"a gap of {time - _end} ticks") };
            _end = time;
        }

        foreach (var sample in samples)
        {
            _samples.Add(sample);
            _end += sample.Duration;
        }
    }
}
