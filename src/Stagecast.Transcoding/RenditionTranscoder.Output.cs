using Stagecast.FfmpegProcesses;
using Stagecast.Media;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Aac;
using Stagecast.Media.MpegTs;

namespace Stagecast.Transcoding;

/// <summary>ffmpeg's side: its MPEG-TS read back, each PES packet published into the rendition it belongs to.</summary>
internal sealed partial class RenditionTranscoder
{
    /// <summary>Reads one child's output until it ends (it exited, or was killed); a new child gets a new demuxer.</summary>
    private async Task ReadOutputAsync(FfmpegChild child)
    {
        using var demuxer = new TsDemuxer(videoStreams: _outputs.Length);
        try
        {
            while (true)
            {
                var result = await child.Output.ReadAsync().ConfigureAwait(false);
                foreach (var segment in result.Buffer)
                {
                    demuxer.Push(segment.Span);
                    while (demuxer.TryRead(out var pes))
                    {
                        try
                        {
                            Publish(demuxer, pes);
                        }
                        finally
                        {
                            MediaBufferPool.Shared.Return(pes.Buffer);
                        }
                    }
                }

                child.Output.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is MediaFormatException or IOException or InvalidOperationException)
        {
            TranscodeLog.OutputReadFailed(_context.Logger, ex, _source.Id);
        }
    }

    private void Publish(TsDemuxer demuxer, TsPesPacket pes)
    {
        if (pes.Pts is not { } pts)
        {
            return; // ffmpeg writes a PTS on every PES packet
        }

        long near = SourceNewest;
        if (pes.Stream.Codec == TsCodec.Aac)
        {
            PublishAudio(pes.Payload, pts, near);
        }
        else if (IndexOf(demuxer.VideoStreams, pes.Stream) is var index && index >= 0 && index < _outputs.Length)
        {
            _outputs[index].WriteVideo(pes.Payload, SourceTimeline.Milliseconds(pts, near));
            Judge();
        }
    }

    /// <summary>The source's AAC, copied once by ffmpeg, goes to every rendition.</summary>
    private void PublishAudio(ReadOnlySpan<byte> payload, long pts, long near)
    {
        while (AdtsHeader.TryParse(payload, out var header) && header.FrameLength <= payload.Length)
        {
            long ms = SourceTimeline.Milliseconds(pts, near);
            foreach (var output in _outputs)
            {
                output.WriteAudio(header, payload[..header.FrameLength], ms);
            }

            pts += (long)AudioTrackConfig.SamplesPerFrame * TsTimestamp.ClockRate / header.SampleRate;
            payload = payload[header.FrameLength..];
        }
    }

    private static int IndexOf(IReadOnlyList<TsElementaryStream> streams, TsElementaryStream stream)
    {
        for (int i = 0; i < streams.Count; i++)
        {
            if (streams[i] == stream)
            {
                return i;
            }
        }

        return -1;
    }
}
