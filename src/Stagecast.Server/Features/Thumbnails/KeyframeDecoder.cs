using System.Buffers;
using System.IO.Pipelines;
using Stagecast.FfmpegProcesses;
using Stagecast.Media.Codecs;
using Stagecast.Streaming;
using Stagecast.Streaming.Logging;

namespace Stagecast.Server.Features.Thumbnails;

/// <summary>
/// One keyframe into one JPEG with a short-lived ffmpeg: the keyframe goes to its stdin as an Annex B elementary
/// stream (its configuration's parameter sets, then its NAL units), ffmpeg decodes it, scales it to the width asked
/// (the height keeping the aspect) and writes the picture to its stdout, then exits. H.264 and H.265.
/// </summary>
public sealed class KeyframeDecoder(FfmpegLauncher launcher, ILogger<KeyframeDecoder> logger)
{
    /// <summary>A picture larger than this is refused: a 1920-wide one at this quality is a few hundred KiB.</summary>
    public const int MaxPictureBytes = 4 * 1024 * 1024;

    /// <summary>What every decode's ffmpeg writes to stderr shares one limit in the log.</summary>
    private readonly LogLimiter _errors = new(launcher.Time);

    public static bool CanDecode(VideoCodec codec) => codec is VideoCodec.H264 or VideoCodec.H265;

    /// <summary>One thread: a keyframe is decoded in milliseconds, and decodes run side by side rather than each on every core.</summary>
    public static IReadOnlyList<string> Arguments(VideoCodec codec, int width) =>
    [
        "-threads", "1", "-f", codec == VideoCodec.H265 ? "hevc" : "h264", "-i", "pipe:0",
        "-frames:v", "1", "-vf", $"scale={width}:-2", "-q:v", "5", "-f", "mjpeg", "pipe:1",
    ];

    /// <summary>
    /// The keyframe as a JPEG <paramref name="width"/> pixels wide. Throws <see cref="IOException"/> when ffmpeg fails
    /// (its last error lines say why), <see cref="MediaFormatException"/> for a malformed keyframe, and
    /// <see cref="OperationCanceledException"/> when cancelled; its ffmpeg is gone when this returns, however it ends.
    /// </summary>
    public async Task<byte[]> DecodeAsync(StreamKeyframe keyframe, int width, CancellationToken cancellationToken)
    {
        var config = keyframe.Config;
        var child = launcher.Start("thumbnail", Arguments(config.Codec, width), logger, maxQueuedWrites: 1, _errors);
        await using (child.ConfigureAwait(false))
        {
            AnnexBWriter.Write(child.Input, config.Codec, keyframe.Payload, config.NalLengthSize, config.ParameterSets);
            child.Input.Commit();
            child.CompleteInput();
            byte[] picture = await ReadToEndAsync(child.Output, cancellationToken).ConfigureAwait(false);
            await child.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (child.ExitCode != 0 || picture is not [0xFF, 0xD8, ..])
            {
                throw new IOException($"ffmpeg exited with code {child.ExitCode} after {picture.Length} bytes: {child.LastErrors}");
            }

            return picture;
        }
    }

    private static async Task<byte[]> ReadToEndAsync(PipeReader output, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await output.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > MaxPictureBytes)
            {
                throw new IOException($"ffmpeg wrote more than {MaxPictureBytes} bytes for one picture");
            }

            if (result.IsCompleted)
            {
                byte[] picture = buffer.ToArray();
                output.AdvanceTo(buffer.End);
                return picture;
            }

            output.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
