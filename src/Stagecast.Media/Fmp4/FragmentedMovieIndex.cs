using System.Buffers.Binary;

namespace Stagecast.Media.Fmp4;

/// <summary>
/// A fragmented MP4 read back box by box (its moov, then each moof with the file offset it was at) into what a
/// progressive MP4 of the same media needs: every track's samples in order and the runs of bytes they are in
/// (<see cref="Chunks"/>, in file order). <see cref="ProgressiveMovieWriter"/> then writes the index in front of them.
/// Fragments follow ISO/IEC 14496-12 8.8: tfhd defaults over trex's, the data offsets of default-base-is-moof or of
/// an explicit base, and runs without an offset following the one before.
/// <code>
/// moof { mfhd, traf { tfhd, tfdt?, trun* }* } mdat
/// </code>
/// </summary>
public sealed class FragmentedMovieIndex
{
    private const uint BaseDataOffsetPresent = 0x000001;
    private const uint SampleDescriptionIndexPresent = 0x000002;
    private const uint DefaultDurationPresent = 0x000008;
    private const uint DefaultSizePresent = 0x000010;
    private const uint DefaultFlagsPresent = 0x000020;
    private const uint DefaultBaseIsMoof = 0x020000;
    private const uint DataOffsetPresent = 0x000001;
    private const uint FirstSampleFlagsPresent = 0x000004;
    private const uint DurationPresent = 0x000100;
    private const uint SizePresent = 0x000200;
    private const uint FlagsPresent = 0x000400;
    private const uint CompositionOffsetPresent = 0x000800;
    private const uint NonSyncSample = 0x00010000;

    private readonly List<TrackIndex> _tracks = [];
    private readonly List<SourceChunk> _chunks = [];
    private readonly List<(TrackIndex Track, ulong? DecodeTime, SourceChunk Chunk, FragmentSample[] Samples)> _pending = [];
    private byte[]? _movie;

    /// <summary>The moov's payload, once read.</summary>
    public ReadOnlySpan<byte> Movie => _movie;

    public bool HasMovie => _movie is not null;

    /// <summary>The movie's timescale (mvhd): the unit of its and its tracks' durations.</summary>
    public uint MovieTimescale { get; private set; }

    public IReadOnlyList<TrackIndex> Tracks => _tracks;

    /// <summary>Every run of sample bytes, in the order they came.</summary>
    public IReadOnlyList<SourceChunk> Chunks => _chunks;

    /// <summary>Bytes of samples in all chunks: the progressive file's mdat payload.</summary>
    public long PayloadLength { get; private set; }

    /// <summary>Reads the moov's payload: the movie's timescale, each track's id and timescale, their defaults (mvex/trex).</summary>
    public void AddMovie(ReadOnlySpan<byte> moov)
    {
        if (_movie is not null)
        {
            ThrowHelper.Malformed("a second moov");
        }

        var boxes = new BoxReader(moov);
        while (boxes.TryRead(out uint type, out var body))
        {
            switch (type)
            {
                case BoxTypes.Mvhd:
                    MovieTimescale = ReadUInt32(body, Version(body) == 1 ? 20 : 12);
                    break;
                case BoxTypes.Trak:
                    _tracks.Add(ReadTrack(body));
                    break;
            }
        }

        if (BoxReader.TryFind(moov, BoxTypes.Mvex, out var mvex))
        {
            var extends = new BoxReader(mvex);
            while (extends.TryRead(out uint type, out var trex))
            {
                if (type == BoxTypes.Trex && FindTrack(ReadUInt32(trex, 4)) is { } track)
                {
                    (track.DefaultDuration, track.DefaultSize, track.DefaultFlags) = (ReadUInt32(trex, 12), ReadUInt32(trex, 16), ReadUInt32(trex, 20));
                }
            }
        }

        if (MovieTimescale == 0 || _tracks.Count == 0)
        {
            ThrowHelper.Malformed("a moov without a timescale or tracks");
        }

        _movie = moov.ToArray();
    }

    /// <summary>
    /// Reads a moof's payload (the box was at <paramref name="moofOffset"/> in the file). False, and nothing taken, when
    /// its samples' bytes run past <paramref name="end"/>: the last fragment of a file cut short.
    /// </summary>
    public bool AddFragment(ReadOnlySpan<byte> moof, long moofOffset, long end)
    {
        if (_movie is null)
        {
            ThrowHelper.Malformed("a moof before the moov");
        }

        _pending.Clear();
        long dataEnd = moofOffset;
        bool first = true;
        var boxes = new BoxReader(moof);
        while (boxes.TryRead(out uint type, out var traf))
        {
            if (type == BoxTypes.Traf)
            {
                dataEnd = ReadTrackFragment(traf, moofOffset, first ? moofOffset : dataEnd);
                first = false;
            }
        }

        foreach (var (_, _, chunk, _) in _pending)
        {
            if (chunk.Offset + chunk.Length > end)
            {
                return false;
            }
        }

        foreach (var (track, decodeTime, chunk, samples) in _pending)
        {
            track.Add(decodeTime, samples);
            _chunks.Add(chunk);
            PayloadLength += chunk.Length;
        }

        return true;
    }

    /// <summary>Reads one traf into pending runs; returns where its last run's bytes end.</summary>
    private long ReadTrackFragment(ReadOnlySpan<byte> traf, long moofOffset, long previousEnd)
    {
        if (!BoxReader.TryFind(traf, BoxTypes.Tfhd, out var tfhd) || tfhd.Length < 8)
        {
            return ThrowHelper.Malformed<long>("a traf without its tfhd");
        }

        uint flags = ReadUInt32(tfhd, 0) & 0xFFFFFF;
        var track = FindTrack(ReadUInt32(tfhd, 4)) ?? ThrowHelper.Malformed<TrackIndex>($"a traf of track {ReadUInt32(tfhd, 4)}, which the moov has not");
        int at = 8;
        long baseOffset = (flags & BaseDataOffsetPresent) != 0 ? checked((long)ReadUInt64(tfhd, at)) : (flags & DefaultBaseIsMoof) != 0 ? moofOffset : previousEnd;
        at += (flags & BaseDataOffsetPresent) != 0 ? 8 : 0;
        at += (flags & SampleDescriptionIndexPresent) != 0 ? 4 : 0;
        uint duration = Optional(tfhd, ref at, flags, DefaultDurationPresent, track.DefaultDuration);
        uint size = Optional(tfhd, ref at, flags, DefaultSizePresent, track.DefaultSize);
        uint sampleFlags = Optional(tfhd, ref at, flags, DefaultFlagsPresent, track.DefaultFlags);

        ulong? decodeTime = null;
        if (BoxReader.TryFind(traf, BoxTypes.Tfdt, out var tfdt))
        {
            decodeTime = Version(tfdt) == 1 ? ReadUInt64(tfdt, 4) : ReadUInt32(tfdt, 4);
        }

        long next = baseOffset;
        var boxes = new BoxReader(traf);
        while (boxes.TryRead(out uint type, out var trun))
        {
            if (type == BoxTypes.Trun)
            {
                next = ReadRun(trun, track, decodeTime, baseOffset, next, (duration, size, sampleFlags));
                decodeTime = null; // a later run follows this one's samples
            }
        }

        return next;
    }

    private long ReadRun(ReadOnlySpan<byte> trun, TrackIndex track, ulong? decodeTime, long baseOffset, long next, (uint Duration, uint Size, uint Flags) defaults)
    {
        uint flags = ReadUInt32(trun, 0) & 0xFFFFFF;
        bool signedOffsets = Version(trun) == 1;
        uint count = ReadUInt32(trun, 4);
        int at = 8;
        long offset = (flags & DataOffsetPresent) != 0 ? baseOffset + (int)ReadUInt32(trun, at) : next;
        at += (flags & DataOffsetPresent) != 0 ? 4 : 0;
        uint firstFlags = Optional(trun, ref at, flags, FirstSampleFlagsPresent, defaults.Flags);
        int fieldsPerSample = int.PopCount((int)(flags & (DurationPresent | SizePresent | FlagsPresent | CompositionOffsetPresent)));
        if (count > MediaLimits.MaxSamplesPerFragment || (long)count * fieldsPerSample * 4 > trun.Length - at)
        {
            return ThrowHelper.Malformed<long>($"a track run of {count} samples in {trun.Length} bytes");
        }

        var samples = new FragmentSample[count];
        long length = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            uint duration = Optional(trun, ref at, flags, DurationPresent, defaults.Duration);
            uint size = Optional(trun, ref at, flags, SizePresent, defaults.Size);
            uint sampleFlags = Optional(trun, ref at, flags, FlagsPresent, i == 0 ? firstFlags : defaults.Flags);
            uint composition = Optional(trun, ref at, flags, CompositionOffsetPresent, 0);
            if (size > MediaLimits.MaxMediaMessageSize)
            {
                return ThrowHelper.Malformed<long>($"a sample of {size} bytes");
            }

            if (!signedOffsets && composition > int.MaxValue)
            {
                return ThrowHelper.Malformed<long>($"a composition offset of {composition}");
            }

            samples[i] = new FragmentSample(duration, (int)size, (sampleFlags & NonSyncSample) == 0, (int)composition);
            length += size;
        }

        if (offset < 0)
        {
            return ThrowHelper.Malformed<long>("a track run before the start of the file");
        }

        _pending.Add((track, decodeTime, new SourceChunk(track, offset, length, samples.Length), samples));
        return offset + length;
    }

    private static TrackIndex ReadTrack(ReadOnlySpan<byte> trak)
    {
        if (!BoxReader.TryFind(trak, BoxTypes.Tkhd, out var tkhd) || !BoxReader.TryFind(trak, BoxTypes.Mdia, out var mdia)
            || !BoxReader.TryFind(mdia, BoxTypes.Mdhd, out var mdhd))
        {
            return ThrowHelper.Malformed<TrackIndex>("a trak without its tkhd or mdhd");
        }

        uint timescale = ReadUInt32(mdhd, Version(mdhd) == 1 ? 20 : 12);
        return timescale == 0
            ? ThrowHelper.Malformed<TrackIndex>("a track of timescale 0")
            : new TrackIndex(ReadUInt32(tkhd, Version(tkhd) == 1 ? 20 : 12), timescale);
    }

    private TrackIndex? FindTrack(uint trackId) => _tracks.Find(t => t.TrackId == trackId);

    private static uint Optional(ReadOnlySpan<byte> box, ref int at, uint flags, uint flag, uint otherwise)
    {
        if ((flags & flag) == 0)
        {
            return otherwise;
        }

        uint value = ReadUInt32(box, at);
        at += 4;
        return value;
    }

    private static int Version(ReadOnlySpan<byte> fullBox) => fullBox.IsEmpty ? ThrowHelper.Malformed<int>("an empty full box") : fullBox[0];

    private static uint ReadUInt32(ReadOnlySpan<byte> box, int at) =>
        at + 4 <= box.Length ? BinaryPrimitives.ReadUInt32BigEndian(box[at..]) : ThrowHelper.Malformed<uint>($"a box of {box.Length} bytes read at {at}");

    private static ulong ReadUInt64(ReadOnlySpan<byte> box, int at) =>
        at + 8 <= box.Length ? BinaryPrimitives.ReadUInt64BigEndian(box[at..]) : ThrowHelper.Malformed<ulong>($"a box of {box.Length} bytes read at {at}");
}
