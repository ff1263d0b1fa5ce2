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
        TsElementaryStream[] videos = [.. streams.Where(s => s.Codec is TsCodec.H264 or TsCodec.H265 && s.Pid != _pmtPid).Take(_maxVideoStreams)];
        var audio = streams.FirstOrDefault(s => s.Codec is TsCodec.Aac or TsCodec.Opus && s.Pid != _pmtPid && videos.All(v => v.Pid != s.Pid));
        var kept = new PesAssembler[videos.Length];
        for (int i = 0; i < videos.Length; i++)
        {
            kept[i] = Array.Find(_videos, v => v.Stream == videos[i]) ?? new PesAssembler(videos[i], _onPes);
        }

        foreach (var gone in _videos.Where(v => !kept.Contains(v)))
        {
            Retire(gone);
        }

        (_videos, VideoStreams) = (kept, videos);
        if (_audio?.Stream != audio)
        {
            if (_audio is not null)
            {
                Retire(_audio);
            }

            _audio = audio is null ? null : new PesAssembler(audio, _onPes);
        }
    }

    /// <summary>Lets go of a stream the new PMT no longer lists as it was (one it still lists keeps its assembler, so a repeated PMT loses nothing).</summary>
    private void Retire(PesAssembler assembler)
    {
        _droppedEarlier += assembler.Dropped;
        assembler.Dispose();
    }
}
