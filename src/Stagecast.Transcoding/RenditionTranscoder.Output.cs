using Stagecast.FfmpegProcesses;
using Stagecast.Media;
using Stagecast.Streaming.MpegTs;

namespace Stagecast.Transcoding;

/// <summary>
/// ffmpeg's side: its MPEG-TS read back through the one MPEG-TS ingest, each video stream into the rendition it
/// belongs to, the audio into every one, at the source's times (<see cref="SourceTimeline"/>).
/// </summary>
internal sealed partial class RenditionTranscoder
{
    /// <summary>Reads one child's output until it ends (it exited, or was killed); a new child gets a new ingest.</summary>
    private async Task ReadOutputAsync(FfmpegChild child)
    {
        var ingest = new TsIngest([.. _outputs.Select(o => o.Publisher)], ticks => SourceTimeline.Milliseconds(ticks, SourceNewest))
        {
            PictureWritten = (index, ms) =>
            {
                _outputs[index].Published(ms);
                Judge();
            },
        };

        await using (ingest.ConfigureAwait(false))
        {
            try
            {
                while (true)
                {
                    var result = await child.Output.ReadAsync().ConfigureAwait(false);
                    foreach (var segment in result.Buffer)
                    {
                        ingest.Push(segment.Span);
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
    }
}
