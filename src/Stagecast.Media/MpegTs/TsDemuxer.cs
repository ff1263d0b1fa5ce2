using System.Diagnostics.CodeAnalysis;

namespace Stagecast.Media.MpegTs;

/// <summary>
/// Reads an MPEG transport stream (ISO/IEC 13818-1) as it arrives, in chunks of any size: the PAT names the first
/// program's PMT, the PMT names its streams, and the PES packets of the program's first video stream (H.264, H.265),
/// or of its first N when asked (a transcoder's renditions), and of its first audio stream (AAC, Opus) come out
/// whole, with unwrapped timestamps, in the order they complete. Other streams are skipped. A stream that loses its sync byte is malformed (<see cref="MediaFormatException"/>); packets
/// lost on the way drop the PES packet they belonged to (<see cref="DroppedPackets"/>).
/// </summary>
public sealed partial class TsDemuxer : IDisposable
{
    private readonly byte[] _partial = new byte[TsPacket.Size];
    private readonly Queue<TsPesPacket> _ready = new();
    private readonly Action<PesAssembler, byte[], int, bool> _onPes;
    private readonly PsiAssembler.SectionHandler _onPat;
    private readonly PsiAssembler.SectionHandler _onPmt;
    private readonly int _maxVideoStreams;
    private int _partialLength;
    private PesAssembler[] _videos = [];
    private PesAssembler? _audio;
    private TsTimestampUnwrapper _clock;
    private long _droppedEarlier;

    /// <param name="videoStreams">How many of the program's video streams are read: the first ones, in the PMT's order.</param>
    public TsDemuxer(int videoStreams = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(videoStreams, 1);
        _maxVideoStreams = videoStreams;
        _onPes = OnPes;
        _onPat = OnPat;
        _onPmt = OnPmt;
    }

    /// <summary>The program's (first) video stream, once its PMT has been read.</summary>
    public TsElementaryStream? Video => _videos.Length == 0 ? null : _videos[0].Stream;

    /// <summary>The video streams read, in the PMT's order: at most as many as the constructor was given.</summary>
    public IReadOnlyList<TsElementaryStream> VideoStreams { get; private set; } = [];

    /// <summary>The program's audio stream, once its PMT has been read.</summary>
    public TsElementaryStream? Audio => _audio?.Stream;

    /// <summary>The elementary streams the PMT lists, the unsupported ones included (to tell a publisher what was skipped).</summary>
    public IReadOnlyList<TsElementaryStream> Streams { get; private set; } = [];

    /// <summary>PES packets dropped because transport packets were missing.</summary>
    public long DroppedPackets => _droppedEarlier + _videos.Sum(v => v.Dropped) + (_audio?.Dropped ?? 0);

    /// <summary>Transport packets read so far.</summary>
    public long Packets { get; private set; }

    /// <summary>Reads every complete transport packet in <paramref name="data"/>, keeping a partial one for the next call.</summary>
    public void Push(ReadOnlySpan<byte> data)
    {
        if (_partialLength > 0)
        {
            int take = Math.Min(TsPacket.Size - _partialLength, data.Length);
            data[..take].CopyTo(_partial.AsSpan(_partialLength));
            _partialLength += take;
            data = data[take..];
            if (_partialLength < TsPacket.Size)
            {
                return;
            }

            _partialLength = 0;
            Read(_partial);
        }

        while (data.Length >= TsPacket.Size)
        {
            Read(data[..TsPacket.Size]);
            data = data[TsPacket.Size..];
        }

        if (!data.IsEmpty)
        {
            if (data[0] != TsPacket.SyncByte)
            {
                ThrowHelper.Malformed("transport packet without its sync byte (0x47)");
            }

            data.CopyTo(_partial);
            _partialLength = data.Length;
        }
    }

    /// <summary>Takes the next complete PES packet; the caller returns its buffer to <see cref="MediaBufferPool"/>.</summary>
    public bool TryRead([MaybeNullWhen(false)] out TsPesPacket packet) => _ready.TryDequeue(out packet);

    public void Dispose()
    {
        foreach (var video in _videos)
        {
            video.Dispose();
        }

        _audio?.Dispose();
        while (_ready.TryDequeue(out var packet))
        {
            MediaBufferPool.Shared.Return(packet.Buffer);
        }
    }

    private void Read(ReadOnlySpan<byte> bytes)
    {
        var packet = TsPacket.Parse(bytes);
        Packets++;
        if (!packet.HasPayload)
        {
            return;
        }

        var payload = bytes[packet.PayloadOffset..];
        if (packet.Pid == TsPacket.PatPid)
        {
            _pat.Push(packet, payload, _onPat);
        }
        else if (packet.Pid == _pmtPid)
        {
            _pmt.Push(packet, payload, _onPmt);
        }
        else if (_audio?.Stream.Pid == packet.Pid)
        {
            _audio.Push(packet, payload);
        }
        else
        {
            foreach (var video in _videos)
            {
                if (video.Stream.Pid == packet.Pid)
                {
                    video.Push(packet, payload);
                    break;
                }
            }
        }
    }

    private void OnPes(PesAssembler assembler, byte[] buffer, int length, bool randomAccess)
    {
        PesHeader header;
        try
        {
            header = PesHeader.Parse(buffer.AsSpan(0, length));
        }
        catch
        {
            MediaBufferPool.Shared.Return(buffer);
            throw;
        }

        long? pts = header.Pts is { } p ? _clock.Unwrap(p) : null;
        long? dts = header.Dts is { } d ? _clock.Unwrap(d) : pts;
        _ready.Enqueue(new TsPesPacket(assembler.Stream, pts, dts, buffer, header.PayloadOffset, length - header.PayloadOffset, randomAccess));
    }
}
