namespace Stagecast.Media.MpegTs;

/// <summary>The PAT and the PMT: which streams the program has, and which of them are read.</summary>
public sealed partial class TsDemuxer
{
    private readonly PsiAssembler _pat = new();
    private readonly PsiAssembler _pmt = new();
    private int _pmtPid = -1;

    private void OnPat(ReadOnlySpan<byte> section)
    {
        if (section[0] == PsiSection.PatTableId && ProgramAssociationTable.FirstProgramMapPid(section) is { } pid && pid != _pmtPid)
        {
            if (pid is TsPacket.PatPid or TsPacket.NullPid)
            {
                ThrowHelper.Malformed($"PAT names PID {pid} for the program map");
            }

            _pmtPid = pid;
            _pmt.Reset();
        }
    }

    private void OnPmt(ReadOnlySpan<byte> section)
    {
        if (section[0] != PsiSection.PmtTableId)
        {
            return;
        }

        var streams = ProgramMapTable.Parse(section, out _);
        Streams = streams;
        var video = streams.FirstOrDefault(s => s.Codec is TsCodec.H264 or TsCodec.H265 && s.Pid != _pmtPid);
        var audio = streams.FirstOrDefault(s => s.Codec is TsCodec.Aac or TsCodec.Opus && s.Pid != _pmtPid && s.Pid != video?.Pid);
        _video = Select(_video, video);
        _audio = Select(_audio, audio);
    }

    /// <summary>Keeps the assembler of a stream the new PMT still lists as it was, so a repeated PMT loses nothing.</summary>
    private PesAssembler? Select(PesAssembler? current, TsElementaryStream? stream)
    {
        if (current?.Stream == stream)
        {
            return current;
        }

        if (current is not null)
        {
            _droppedEarlier += current.Dropped;
            current.Dispose();
        }

        return stream is null ? null : new PesAssembler(stream, _onPes);
    }
}
