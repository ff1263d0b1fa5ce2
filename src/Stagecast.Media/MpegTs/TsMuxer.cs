using System.Buffers;

namespace Stagecast.Media.MpegTs;

/// <summary>
/// Writes one program of an MPEG transport stream (ISO/IEC 13818-1) with a video stream (H.264, H.265) and an audio
/// stream (AAC in ADTS), PIDs as ffmpeg numbers them: the PAT and PMT at the start, before every keyframe and at least
/// once a second; each access unit in a PES packet of its own, split into 188-byte packets with continuity counters;
/// a PCR on the first packet of each PES of the PCR stream (the video, or the audio without video).
/// </summary>
public sealed class TsMuxer
{
    public const int ProgramMapPid = 0x1000;
    public const int VideoPid = 0x100;
    public const int AudioPid = 0x101;

    private const int ProgramNumber = 1;
    private const int TransportStreamId = 1;
    private const byte VideoStreamId = 0xE0;
    private const byte AudioStreamId = 0xC0;
    private const int HeaderSize = 4;
    private const int PayloadSize = TsPacket.Size - HeaderSize;
    private const int PcrFieldLength = 6;

    /// <summary>Tables go out again after this long without a keyframe (PSI should repeat at least every 0.5 to 1 s).</summary>
    private const long TablesInterval = TsTimestamp.ClockRate;

    private readonly byte[] _continuity = new byte[4];
    private byte? _videoStreamType;
    private bool _hasAudio;
    private int _version = -1;
    private bool _tablesDue;
    private long _tablesAt;

    /// <summary>How far the PCR runs behind the decode time, the time a decoder has to receive each access unit (ffmpeg's default).</summary>
    public static long PcrDelay => TsTimestamp.ClockRate * 7 / 10;

    /// <summary>Says which streams the program has; a change writes a new version of the PMT before the next access unit.</summary>
    public void SetStreams(byte? videoStreamType, bool hasAudio)
    {
        if (_version >= 0 && videoStreamType == _videoStreamType && hasAudio == _hasAudio)
        {
            return;
        }

        (_videoStreamType, _hasAudio) = (videoStreamType, hasAudio);
        _version = (_version + 1) & 0x1F;
        _tablesDue = true;
    }

    /// <summary>
    /// Writes a video access unit (Annex B, in as many pieces as it comes: <see cref="PieceSequence"/>) with its PTS and
    /// DTS (90 kHz, at least <see cref="PcrDelay"/>). Its PES packet says its length when that fits in 16 bits (unbounded
    /// otherwise, as video may be): a demuxer then hands the picture on when its last byte arrives, not when the next
    /// picture starts, a frame later.
    /// </summary>
    public void WriteVideo(IBufferWriter<byte> output, long pts, long dts, bool keyframe, ReadOnlySequence<byte> accessUnit)
    {
        WriteTablesIfDue(output, dts, keyframe);
        WritePes(output, VideoPid, VideoStreamId, pts, dts, accessUnit, pcr: dts - PcrDelay, randomAccess: keyframe);
    }

    /// <summary>Writes an audio access unit (an ADTS frame, its header and payload in pieces or not) with its PTS (90 kHz, at least <see cref="PcrDelay"/>).</summary>
    public void WriteAudio(IBufferWriter<byte> output, long pts, ReadOnlySequence<byte> frame)
    {
        WriteTablesIfDue(output, pts, keyframe: false);
        WritePes(output, AudioPid, AudioStreamId, pts, null, frame, pcr: _videoStreamType is null ? pts - PcrDelay : null, randomAccess: true);
    }

    private void WriteTablesIfDue(IBufferWriter<byte> output, long now, bool keyframe)
    {
        if (_version < 0 || !(_tablesDue || keyframe || now - _tablesAt >= TablesInterval))
        {
            return;
        }

        Span<byte> data = stackalloc byte[16];
        Span<byte> section = stackalloc byte[32];
        int length = ProgramAssociationTable.WriteData(data, ProgramNumber, ProgramMapPid);
        WriteSection(output, TsPacket.PatPid, section[..PsiSection.Write(section, PsiSection.PatTableId, TransportStreamId, data[..length])]);

        Span<(byte, int)> streams = stackalloc (byte, int)[2];
        int count = 0;
        if (_videoStreamType is { } videoType)
        {
            streams[count++] = (videoType, VideoPid);
        }

        if (_hasAudio)
        {
            streams[count++] = (TsStreamType.AacAdts, AudioPid);
        }

        length = ProgramMapTable.WriteData(data, _videoStreamType is null ? AudioPid : VideoPid, streams[..count]);
        WriteSection(output, ProgramMapPid, section[..PsiSection.Write(section, PsiSection.PmtTableId, ProgramNumber, data[..length], _version)]);
        _tablesDue = false;
        _tablesAt = now;
    }

    private void WriteSection(IBufferWriter<byte> output, int pid, ReadOnlySpan<byte> section)
    {
        var packet = output.GetSpan(TsPacket.Size)[..TsPacket.Size];
        WriteHeader(packet, pid, unitStart: true, withAdaptation: false);
        packet[HeaderSize] = 0; // pointer_field: the section starts right after it
        section.CopyTo(packet[(HeaderSize + 1)..]);
        packet[(HeaderSize + 1 + section.Length)..].Fill(0xFF);
        output.Advance(TsPacket.Size);
    }

    /// <summary>The PES header and <paramref name="payload"/> cut into packets, each piece copied once, straight into <paramref name="output"/>.</summary>
    private void WritePes(IBufferWriter<byte> output, int pid, byte streamId, long pts, long? dts, ReadOnlySequence<byte> payload, long? pcr, bool randomAccess)
    {
        Span<byte> header = stackalloc byte[PesHeader.FixedLength + (2 * TsTimestamp.EncodedLength)];
        header = header[..PesHeader.Write(header, streamId, pts, dts, checked((int)payload.Length))];
        bool first = true;
        while (!header.IsEmpty || !payload.IsEmpty || first)
        {
            int remaining = header.Length + (int)payload.Length;
            int adaptation = first && (pcr is not null || randomAccess) ? 2 + (pcr is null ? 0 : PcrFieldLength) : 0;
            if (remaining < PayloadSize - adaptation)
            {
                adaptation = PayloadSize - remaining; // the last packet: stuffing in the adaptation field fills it
            }

            var packet = output.GetSpan(TsPacket.Size)[..TsPacket.Size];
            WriteHeader(packet, pid, first, adaptation > 0);
            var body = packet[HeaderSize..];
            if (adaptation > 0)
            {
                WriteAdaptationField(body[..adaptation], first ? pcr : null, first && randomAccess);
                body = body[adaptation..];
            }

            int fromHeader = Math.Min(header.Length, body.Length);
            header[..fromHeader].CopyTo(body);
            header = header[fromHeader..];
            int fromPayload = body.Length - fromHeader;
            payload.Slice(0, fromPayload).CopyTo(body[fromHeader..]);
            payload = payload.Slice(fromPayload);
            output.Advance(TsPacket.Size);
            first = false;
        }
    }

    /// <summary>length, flags, [PCR], stuffing; one byte (length 0) when a single byte of stuffing is needed.</summary>
    private static void WriteAdaptationField(Span<byte> field, long? pcr, bool randomAccess)
    {
        field[0] = (byte)(field.Length - 1);
        if (field.Length == 1)
        {
            return;
        }

        field[1] = (byte)((randomAccess ? 0x40 : 0) | (pcr is null ? 0 : 0x10));
        var rest = field[2..];
        if (pcr is { } value)
        {
            long pcrBase = value & (TsTimestamp.Modulo - 1);
            rest[0] = (byte)(pcrBase >> 25);
            rest[1] = (byte)(pcrBase >> 17);
            rest[2] = (byte)(pcrBase >> 9);
            rest[3] = (byte)(pcrBase >> 1);
            rest[4] = (byte)(((pcrBase & 1) << 7) | 0x7E); // 6 reserved bits, extension (27 MHz remainder) 0
            rest[5] = 0;
            rest = rest[PcrFieldLength..];
        }

        rest.Fill(0xFF);
    }

    private void WriteHeader(Span<byte> packet, int pid, bool unitStart, bool withAdaptation)
    {
        ref byte continuity = ref _continuity[pid switch { TsPacket.PatPid => 0, ProgramMapPid => 1, VideoPid => 2, _ => 3 }];
        packet[0] = TsPacket.SyncByte;
        packet[1] = (byte)((unitStart ? 0x40 : 0) | (pid >> 8));
        packet[2] = (byte)pid;
        packet[3] = (byte)((withAdaptation ? 0x30 : 0x10) | continuity);
        continuity = (byte)((continuity + 1) & 0x0F);
    }
}
