using System.Buffers.Binary;

namespace Stagecast.Media.Fmp4;

/// <summary>
/// Writes what goes in front of a progressive MP4's media: ftyp, the moov with every sample in its tables, and the
/// mdat header, for the chunks of a <see cref="FragmentedMovieIndex"/> copied after it in their order ("faststart": a
/// player has the whole index before the first byte of media). The fragmented file's moov is kept box by box (sample
/// entries, handlers, anything else) except what fragments need and a progressive file must not have (mvex), the
/// empty tables (rewritten) and edit lists (one is written where a track starts after the movie does).
/// <code>
/// ftyp | moov { mvhd, trak { tkhd, edts?, mdia { mdhd, hdlr, minf { .., stbl { stsd, stts, ctts?, stss?, stsc, stsz, stco|co64 } } } }* } | mdat
/// </code>
/// </summary>
public static class ProgressiveMovieWriter
{
    /// <summary>ftyp, moov and the mdat header; the mdat's payload is the index's chunks, in order, right after.</summary>
    public static byte[] WriteHeader(FragmentedMovieIndex index)
    {
        if (!index.HasMovie)
        {
            throw new ArgumentException("the index has no moov", nameof(index));
        }

        var box = new BoxBuffer(64 * 1024);
        bool largeOffsets = false;
        int length = Write(box, index, 0, largeOffsets);
        if (length + index.PayloadLength > uint.MaxValue)
        {
            largeOffsets = true;
            length = Write(box, index, 0, largeOffsets);
        }

        Write(box, index, length, largeOffsets); // the same length: only the offsets' values change
        return box.ToArray();
    }

    private static int Write(BoxBuffer box, FragmentedMovieIndex index, long payloadStart, bool largeOffsets)
    {
        box.Reset();
        int ftyp = box.StartBox(BoxTypes.Ftyp);
        box.WriteBytes("isom"u8);
        box.WriteUInt32(512);
        box.WriteBytes("isomiso2mp41"u8);
        box.EndBox(ftyp);

        var chunks = index.Tracks.ToDictionary(t => t, _ => new List<(long, int)>());
        long offset = payloadStart;
        foreach (var chunk in index.Chunks)
        {
            chunks[chunk.Track].Add((offset, chunk.SampleCount));
            offset += chunk.Length;
        }

        int moov = box.StartBox(BoxTypes.Moov);
        ulong movieDuration = index.Tracks.Max(t => MovieDuration(index, t));
        var boxes = new BoxReader(index.Movie);
        while (boxes.TryRead(out uint type, out var body))
        {
            switch (type)
            {
                case BoxTypes.Mvhd:
                    WriteTimedHeader(box, type, body, 4, movieDuration);
                    break;
                case BoxTypes.Trak:
                    WriteTrack(box, index, body, chunks, largeOffsets);
                    break;
                case BoxTypes.Mvex:
                    break;
                default:
                    box.WriteBox(type, body);
                    break;
            }
        }

        box.EndBox(moov);
        if (index.PayloadLength + 8 > uint.MaxValue)
        {
            box.WriteUInt32(1);
            box.WriteUInt32(BoxTypes.Mdat);
            box.WriteUInt64((ulong)(16 + index.PayloadLength));
        }
        else
        {
            box.WriteUInt32((uint)(8 + index.PayloadLength));
            box.WriteUInt32(BoxTypes.Mdat);
        }

        return box.Length;
    }

    private static void WriteTrack(BoxBuffer box, FragmentedMovieIndex index, ReadOnlySpan<byte> trak, Dictionary<TrackIndex, List<(long, int)>> chunks, bool largeOffsets)
    {
        TrackIndex? track = null;
        int start = box.StartBox(BoxTypes.Trak);
        var boxes = new BoxReader(trak);
        while (boxes.TryRead(out uint type, out var body))
        {
            switch (type)
            {
                case BoxTypes.Tkhd:
                    uint id = BinaryPrimitives.ReadUInt32BigEndian(body[(body[0] == 1 ? 20 : 12)..]);
                    track = index.Tracks.First(t => t.TrackId == id);
                    WriteTimedHeader(box, type, body, 8, MovieDuration(index, track));
                    WriteEditList(box, index, track);
                    break;
                case BoxTypes.Edts:
                    break;
                case BoxTypes.Mdia when track is not null:
                    WriteContainer(box, type, body, track, chunks[track], largeOffsets);
                    break;
                default:
                    box.WriteBox(type, body);
                    break;
            }
        }

        box.EndBox(start);
    }

    /// <summary>mdia and minf: copied but for mdhd (its duration) and stbl (its tables).</summary>
    private static void WriteContainer(BoxBuffer box, uint containerType, ReadOnlySpan<byte> container, TrackIndex track, List<(long, int)> chunks, bool largeOffsets)
    {
        int start = box.StartBox(containerType);
        var boxes = new BoxReader(container);
        while (boxes.TryRead(out uint type, out var body))
        {
            switch (type)
            {
                case BoxTypes.Mdhd:
                    WriteTimedHeader(box, type, body, 4, track.Duration);
                    break;
                case BoxTypes.Minf:
                    WriteContainer(box, type, body, track, chunks, largeOffsets);
                    break;
                case BoxTypes.Stbl:
                    int stbl = box.StartBox(BoxTypes.Stbl);
                    box.WriteBox(BoxTypes.Stsd, BoxReader.TryFind(body, BoxTypes.Stsd, out var stsd) ? stsd : ThrowHelper.Malformed<byte[]>("an stbl without its stsd"));
                    SampleTableWriter.Write(box, track.Samples, chunks, largeOffsets);
                    box.EndBox(stbl);
                    break;
                default:
                    box.WriteBox(type, body);
                    break;
            }
        }

        box.EndBox(start);
    }

    /// <summary>A track that starts after the movie does (audio a few milliseconds after the first picture) waits for its time: an empty edit, then its media.</summary>
    private static void WriteEditList(BoxBuffer box, FragmentedMovieIndex index, TrackIndex track)
    {
        ulong delay = ToMovie(index, track, track.StartTime);
        if (delay == 0)
        {
            return;
        }

        ulong media = ToMovie(index, track, track.Duration);
        bool large = delay + media > uint.MaxValue;
        int edts = box.StartBox(BoxTypes.Edts);
        int elst = box.StartFullBox(BoxTypes.Elst, large ? (byte)1 : (byte)0, 0);
        box.WriteUInt32(2);
        foreach (var (duration, mediaTime) in new[] { (delay, -1L), (media, 0L) })
        {
            if (large)
            {
                box.WriteUInt64(duration);
                box.WriteUInt64((ulong)mediaTime);
            }
            else
            {
                box.WriteUInt32((uint)duration);
                box.WriteInt32((int)mediaTime);
            }

            box.WriteUInt32(0x00010000); // media_rate 1.0
        }

        box.EndBox(elst);
        box.EndBox(edts);
    }

    /// <summary>
    /// mvhd, tkhd or mdhd with <paramref name="duration"/>: creation and modification times, then
    /// <paramref name="fieldsBefore"/> bytes (a timescale, or a track id and a reserved word), the duration, the rest;
    /// version 1 (64-bit times) when the duration needs it or the box had it.
    /// </summary>
    private static void WriteTimedHeader(BoxBuffer box, uint type, ReadOnlySpan<byte> body, int fieldsBefore, ulong duration)
    {
        int version = body.IsEmpty ? ThrowHelper.Malformed<int>("an empty header box") : body[0];
        int time = version == 1 ? 8 : 4;
        int durationAt = 4 + (2 * time) + fieldsBefore;
        if (body.Length < durationAt + time)
        {
            ThrowHelper.Malformed($"a header box of {body.Length} bytes");
        }

        byte outVersion = version == 1 || duration > uint.MaxValue ? (byte)1 : (byte)0;
        int start = box.StartFullBox(type, outVersion, BinaryPrimitives.ReadUInt32BigEndian(body) & 0xFFFFFF);
        for (int at = 4; at < 4 + (2 * time); at += time)
        {
            ulong value = version == 1 ? BinaryPrimitives.ReadUInt64BigEndian(body[at..]) : BinaryPrimitives.ReadUInt32BigEndian(body[at..]);
            WriteTime(box, outVersion, value);
        }

        box.WriteBytes(body.Slice(4 + (2 * time), fieldsBefore));
        WriteTime(box, outVersion, duration);
        box.WriteBytes(body[(durationAt + time)..]);
        box.EndBox(start);
    }

    private static void WriteTime(BoxBuffer box, byte version, ulong value)
    {
        if (version == 1)
        {
            box.WriteUInt64(value);
        }
        else
        {
            box.WriteUInt32((uint)value);
        }
    }

    /// <summary>The track's length in the movie's timescale, from the movie's start (its edit list's delay included).</summary>
    private static ulong MovieDuration(FragmentedMovieIndex index, TrackIndex track)
    {
        ulong delay = ToMovie(index, track, track.StartTime);
        return delay + ToMovie(index, track, track.Duration);
    }

    private static ulong ToMovie(FragmentedMovieIndex index, TrackIndex track, ulong ticks) =>
        (ulong)Math.Round((double)ticks * index.MovieTimescale / track.Timescale);
}
