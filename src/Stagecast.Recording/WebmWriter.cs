using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;

using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.Webm;

namespace Stagecast.Recording;

/// <summary>The one track of a <see cref="WebmWriter"/>'s file: VP8 video of a size, or Opus audio of some channels.</summary>
internal sealed record WebmTrack(string CodecId, bool Video, int Width, int Height, int Channels, byte[]? CodecPrivate)
{
    /// <summary>Opus's pre-skip (RFC 7845), in nanoseconds as Matroska's CodecDelay: 312 samples at 48 kHz.</summary>
    private const ulong OpusCodecDelayNs = 312UL * 1_000_000_000 / 48_000;

    /// <summary>How much an Opus decoder needs before a seek point to settle, as Matroska's SeekPreRoll (the 80 ms it recommends).</summary>
    private const ulong OpusSeekPreRollNs = 80_000_000;

    public static WebmTrack Vp8(int width, int height) => new("V_VP8", true, width, height, 0, null);

    public static WebmTrack Opus(int channels) => new("A_OPUS", false, 0, 0, channels, OpusHead.Create(channels));

    internal void WriteEntry(ArrayBufferWriter<byte> tracks) => Ebml.WriteMaster(tracks, WebmWriter.Ids.TrackEntry, entry =>
    {
        Ebml.WriteUInt(entry, WebmWriter.Ids.TrackNumber, 1);
        Ebml.WriteUInt(entry, WebmWriter.Ids.TrackUid, 1);
        Ebml.WriteUInt(entry, WebmWriter.Ids.TrackType, Video ? 1UL : 2UL);
        Ebml.WriteUInt(entry, WebmWriter.Ids.FlagLacing, 0);
        Ebml.WriteString(entry, WebmWriter.Ids.CodecId, CodecId);
        if (CodecPrivate is not null)
        {
            Ebml.WriteBinary(entry, WebmWriter.Ids.CodecPrivate, CodecPrivate);
        }

        if (Video)
        {
            Ebml.WriteMaster(entry, WebmWriter.Ids.Video, video =>
            {
                Ebml.WriteUInt(video, WebmWriter.Ids.PixelWidth, (ulong)Width);
                Ebml.WriteUInt(video, WebmWriter.Ids.PixelHeight, (ulong)Height);
            });
        }
        else
        {
            Ebml.WriteUInt(entry, WebmWriter.Ids.CodecDelay, OpusCodecDelayNs);
            Ebml.WriteUInt(entry, WebmWriter.Ids.SeekPreRoll, OpusSeekPreRollNs);
            Ebml.WriteMaster(entry, WebmWriter.Ids.Audio, audio =>
            {
                Ebml.WriteFloat(audio, WebmWriter.Ids.SamplingFrequency, 48_000);
                Ebml.WriteUInt(audio, WebmWriter.Ids.Channels, (ulong)Channels);
            });
        }
    });
}

/// <summary>
/// Writes one track as a WebM file (Matroska's subset, as browsers and ffmpeg read it) onto a seekable stream as its
/// frames come, in millisecond timestamps: the header with the track, then a cluster of SimpleBlocks at each video
/// keyframe and at least every <see cref="MaxClusterMs"/>, each written whole once complete. <see cref="Finish"/>
/// appends the cues (a video cluster starting at a keyframe, every audio cluster) and fills in what only the end
/// knows: the segment's size, the duration, and the seek head in the space left for it. A file cut short (a crash)
/// still plays up to its last complete cluster. Frames are expected in time order; one that goes back is kept at the
/// time of the one before it, as a cluster's block times must not go back.
/// </summary>
internal sealed class WebmWriter
{
    /// <summary>The longest a cluster gathers (a block's time in it is 16 bits of milliseconds; a crash loses at most this).</summary>
    public const long MaxClusterMs = 5_000;

    /// <summary>The most a cluster holds before the next frame starts another (it is gathered in memory).</summary>
    private const int MaxClusterBytes = 8 << 20;

    /// <summary>The space kept after the segment's start for the seek head (to Info, Tracks and Cues), written at the end.</summary>
    private const int SeekHeadSpace = 96;

    /// <summary>An 8-byte size of all ones: "unknown", which readers take as "to the end of the file".</summary>
    private static readonly byte[] UnknownSize = [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    private readonly Stream _output;
    private readonly WebmTrack _track;
    private readonly ArrayBufferWriter<byte> _cluster = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly List<(long Ms, long Position)> _cues = [];
    private readonly long _segmentSizeAt;
    private readonly long _segmentStart;
    private readonly long _infoAt;
    private readonly long _durationAt;
    private readonly long _tracksAt;
    private long _clusterMs = -1;
    private bool _clusterCued;
    private long _lastMs = -1;
    private long _lastStep;

    /// <summary>Writes the file's header for <paramref name="track"/> at the start of <paramref name="output"/> (an empty, seekable stream).</summary>
    public WebmWriter(Stream output, WebmTrack track)
    {
        _output = output;
        _track = track;
        Ebml.WriteMaster(_scratch, Ids.Ebml, header =>
        {
            Ebml.WriteUInt(header, Ids.EbmlVersion, 1);
            Ebml.WriteUInt(header, Ids.EbmlReadVersion, 1);
            Ebml.WriteUInt(header, Ids.EbmlMaxIdLength, 4);
            Ebml.WriteUInt(header, Ids.EbmlMaxSizeLength, 8);
            Ebml.WriteString(header, Ids.DocType, "webm");
            Ebml.WriteUInt(header, Ids.DocTypeVersion, 4);
            Ebml.WriteUInt(header, Ids.DocTypeReadVersion, 2);
        });
        Ebml.WriteId(_scratch, Ids.Segment);
        _segmentSizeAt = _scratch.WrittenCount;
        _scratch.Write(UnknownSize); // what a file cut short keeps; Finish writes the size
        _segmentStart = _scratch.WrittenCount;
        WriteVoid(_scratch, SeekHeadSpace);

        _infoAt = _scratch.WrittenCount;
        Ebml.WriteId(_scratch, Ids.Info);
        var infoBody = new ArrayBufferWriter<byte>(64);
        Ebml.WriteUInt(infoBody, Ids.TimestampScale, 1_000_000); // blocks in milliseconds
        Ebml.WriteString(infoBody, Ids.MuxingApp, "Stagecast");
        Ebml.WriteString(infoBody, Ids.WritingApp, "Stagecast");
        long durationInBody = infoBody.WrittenCount + 3; // the Duration element's ID (2 bytes) and size (1)
        Ebml.WriteFloat(infoBody, Ids.Duration, 0);
        Ebml.WriteSize(_scratch, infoBody.WrittenCount);
        _durationAt = _scratch.WrittenCount + durationInBody;
        _scratch.Write(infoBody.WrittenSpan);

        _tracksAt = _scratch.WrittenCount;
        Ebml.WriteMaster(_scratch, Ids.Tracks, track.WriteEntry);
        Flush(_scratch);
    }

    /// <summary>Appends a frame at <paramref name="ms"/> (from the track's start); a video keyframe starts a cluster.</summary>
    public void Write(ReadOnlySpan<byte> frame, long ms, bool keyframe)
    {
        ms = Math.Max(ms, Math.Max(_lastMs, 0));
        bool cueable = keyframe || !_track.Video;
        if (_clusterMs < 0 || (_track.Video && keyframe && ms > _clusterMs) || ms - _clusterMs >= MaxClusterMs || _cluster.WrittenCount + frame.Length > MaxClusterBytes)
        {
            CloseCluster();
            _clusterMs = ms;
            _clusterCued = cueable;
            Ebml.WriteUInt(_cluster, Ids.Timestamp, (ulong)ms);
        }

        Ebml.WriteId(_cluster, Ids.SimpleBlock);
        Ebml.WriteSize(_cluster, 4 + frame.Length);
        var head = _cluster.GetSpan(4);
        head[0] = 0x81; // track 1, as a one-byte variable-length integer
        BinaryPrimitives.WriteInt16BigEndian(head[1..], (short)(ms - _clusterMs));
        head[3] = (byte)(cueable ? 0x80 : 0); // keyframe
        _cluster.Advance(4);
        _cluster.Write(frame);
        _lastStep = _lastMs >= 0 ? ms - _lastMs : 0;
        _lastMs = ms;
    }

    /// <summary>Writes the last cluster and the cues, then fills in the segment's size, the duration and the seek head.</summary>
    public void Finish()
    {
        CloseCluster();
        long cuesAt = -1;
        if (_cues.Count > 0)
        {
            cuesAt = _output.Position;
            Ebml.WriteMaster(_scratch, Ids.Cues, cues =>
            {
                foreach (var (ms, position) in _cues)
                {
                    Ebml.WriteMaster(cues, Ids.CuePoint, point =>
                    {
                        Ebml.WriteUInt(point, Ids.CueTime, (ulong)ms);
                        Ebml.WriteMaster(point, Ids.CueTrackPositions, positions =>
                        {
                            Ebml.WriteUInt(positions, Ids.CueTrack, 1);
                            Ebml.WriteUInt(positions, Ids.CueClusterPosition, (ulong)(position - _segmentStart));
                        });
                    });
                }
            });
            Flush(_scratch);
        }

        long end = _output.Position;
        Span<byte> slot = stackalloc byte[Ebml.SizeSlot];
        Ebml.WriteSizeSlot(slot, end - _segmentStart);
        WriteAt(_segmentSizeAt, slot);
        Span<byte> duration = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(duration, Math.Max(_lastMs + _lastStep, 0));
        WriteAt(_durationAt, duration);

        Ebml.WriteMaster(_scratch, Ids.SeekHead, seeks =>
        {
            foreach (var (id, at) in new[] { (Ids.Info, _infoAt), (Ids.Tracks, _tracksAt), (Ids.Cues, cuesAt) })
            {
                if (at >= 0)
                {
                    Ebml.WriteMaster(seeks, Ids.Seek, seek =>
                    {
                        Span<byte> idBytes = stackalloc byte[4];
                        BinaryPrimitives.WriteUInt32BigEndian(idBytes, id);
                        Ebml.WriteBinary(seek, Ids.SeekId, idBytes);
                        Ebml.WriteUInt(seek, Ids.SeekPosition, (ulong)(at - _segmentStart));
                    });
                }
            }
        });
        WriteVoid(_scratch, SeekHeadSpace - _scratch.WrittenCount);
        WriteAt(_segmentStart, _scratch.WrittenSpan);
        _scratch.ResetWrittenCount();
        _output.Seek(end, SeekOrigin.Begin);
        _output.Flush();
    }

    private void CloseCluster()
    {
        if (_clusterMs < 0 || _cluster.WrittenCount == 0)
        {
            return;
        }

        if (_clusterCued)
        {
            _cues.Add((_clusterMs, _output.Position));
        }

        Ebml.WriteId(_scratch, Ids.Cluster);
        Ebml.WriteSize(_scratch, _cluster.WrittenCount);
        Flush(_scratch);
        Flush(_cluster);
    }

    private void Flush(ArrayBufferWriter<byte> buffer)
    {
        _output.Write(buffer.WrittenSpan);
        buffer.ResetWrittenCount();
    }

    private void WriteAt(long position, ReadOnlySpan<byte> bytes)
    {
        _output.Seek(position, SeekOrigin.Begin);
        _output.Write(bytes);
    }

    /// <summary>A Void element <paramref name="length"/> bytes long in all (2 to 128: its ID and a one-byte size), whose data readers skip.</summary>
    private static void WriteVoid(ArrayBufferWriter<byte> output, int length)
    {
        Debug.Assert(length is >= 2 and <= 128, "a void of one-byte size");
        Ebml.WriteId(output, Ids.Void);
        Ebml.WriteSize(output, length - 2);
        var zeros = output.GetSpan(length - 2)[..(length - 2)];
        zeros.Clear();
        output.Advance(zeros.Length);
    }

    /// <summary>The Matroska element IDs this writer uses (Matroska's specification, RFC 9559).</summary>
    internal static class Ids
    {
        public const uint Ebml = 0x1A45DFA3;
        public const uint EbmlVersion = 0x4286;
        public const uint EbmlReadVersion = 0x42F7;
        public const uint EbmlMaxIdLength = 0x42F2;
        public const uint EbmlMaxSizeLength = 0x42F3;
        public const uint DocType = 0x4282;
        public const uint DocTypeVersion = 0x4287;
        public const uint DocTypeReadVersion = 0x4285;
        public const uint Void = 0xEC;
        public const uint Segment = 0x18538067;
        public const uint SeekHead = 0x114D9B74;
        public const uint Seek = 0x4DBB;
        public const uint SeekId = 0x53AB;
        public const uint SeekPosition = 0x53AC;
        public const uint Info = 0x1549A966;
        public const uint TimestampScale = 0x2AD7B1;
        public const uint Duration = 0x4489;
        public const uint MuxingApp = 0x4D80;
        public const uint WritingApp = 0x5741;
        public const uint Tracks = 0x1654AE6B;
        public const uint TrackEntry = 0xAE;
        public const uint TrackNumber = 0xD7;
        public const uint TrackUid = 0x73C5;
        public const uint TrackType = 0x83;
        public const uint FlagLacing = 0x9C;
        public const uint CodecId = 0x86;
        public const uint CodecPrivate = 0x63A2;
        public const uint CodecDelay = 0x56AA;
        public const uint SeekPreRoll = 0x56BB;
        public const uint Video = 0xE0;
        public const uint PixelWidth = 0xB0;
        public const uint PixelHeight = 0xBA;
        public const uint Audio = 0xE1;
        public const uint SamplingFrequency = 0xB5;
        public const uint Channels = 0x9F;
        public const uint Cluster = 0x1F43B675;
        public const uint Timestamp = 0xE7;
        public const uint SimpleBlock = 0xA3;
        public const uint Cues = 0x1C53BB6B;
        public const uint CuePoint = 0xBB;
        public const uint CueTime = 0xB3;
        public const uint CueTrackPositions = 0xB7;
        public const uint CueTrack = 0xF7;
        public const uint CueClusterPosition = 0xF1;
    }
}
