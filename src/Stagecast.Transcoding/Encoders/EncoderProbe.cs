using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.FfmpegProcesses;

namespace Stagecast.Transcoding.Encoders;

/// <summary>
/// Chooses, once, the encoder renditions are made with (<see cref="TranscodeOptions.HwAccel"/>): x264 unless the
/// operator allows a GPU's and ffmpeg both lists it (<c>ffmpeg -encoders</c>) and encodes a test picture with it here,
/// since a build lists its hardware encoders whether or not the machine has the hardware. Says in the log what it chose
/// and why the others were passed over.
/// </summary>
public sealed partial class EncoderProbe(FfmpegLauncher ffmpeg, IOptions<TranscodeOptions> options, ILogger<EncoderProbe> logger)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly Lazy<Task<VideoEncoder>> _chosen = new(() => ChooseAsync(ffmpeg, options.Value, logger));

    /// <summary>The encoder; the first call probes (a second or so), later ones answer at once.</summary>
    public Task<VideoEncoder> EncoderAsync() => _chosen.Value;

    private static async Task<VideoEncoder> ChooseAsync(FfmpegLauncher ffmpeg, TranscodeOptions options, ILogger logger)
    {
        if (options.HwAccel == "none")
        {
            return VideoEncoder.Libx264;
        }

        IReadOnlyList<VideoEncoder> candidates = VideoEncoders.Named(options.HwAccel) is { } named ? [named] : VideoEncoders.Hardware;
        using var timeout = new CancellationTokenSource(Limit, ffmpeg.Time);
        try
        {
            var listed = EncoderListing.VideoEncoders(await ListAsync(ffmpeg, timeout.Token).ConfigureAwait(false));
            foreach (var candidate in candidates)
            {
                if (!listed.Contains(candidate.FfmpegName()))
                {
                    Log.NotListed(logger, candidate.FfmpegName());
                    continue;
                }

                var exit = await ffmpeg.RunAsync($"{candidate.FfmpegName()} probe", EncoderArguments.TestEncode(candidate, options), NullLogger.Instance, timeout.Token)
                    .ConfigureAwait(false);
                if (exit.ExitCode == 0)
                {
                    Log.Chosen(logger, candidate.FfmpegName());
                    return candidate;
                }

                Log.DoesNotWork(logger, candidate.FfmpegName(), exit.Errors.ReplaceLineEndings(" / "));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Log.ProbeFailed(logger, ex);
        }

        Log.Software(logger, options.HwAccel);
        return VideoEncoder.Libx264;
    }

    /// <summary>What <c>ffmpeg -encoders</c> prints.</summary>
    private static async Task<string> ListAsync(FfmpegLauncher ffmpeg, CancellationToken cancellationToken)
    {
        var child = ffmpeg.Start("encoder listing", ["-encoders"], NullLogger.Instance);
        await using (child.ConfigureAwait(false))
        {
            child.CompleteInput();
            using var text = new MemoryStream();
            await child.Output.CopyToAsync(text, cancellationToken).ConfigureAwait(false);
            return Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Renditions are encoded with {Encoder}")]
        public static partial void Chosen(ILogger logger, string encoder);

        [LoggerMessage(2, LogLevel.Information, "ffmpeg has no {Encoder}")]
        public static partial void NotListed(ILogger logger, string encoder);

        [LoggerMessage(3, LogLevel.Information, "ffmpeg lists {Encoder} but cannot encode with it here: {Errors}")]
        public static partial void DoesNotWork(ILogger logger, string encoder, string errors);

        [LoggerMessage(4, LogLevel.Warning, "Probing ffmpeg's hardware encoders failed")]
        public static partial void ProbeFailed(ILogger logger, Exception exception);

        [LoggerMessage(5, LogLevel.Warning, "--transcode-hwaccel {HwAccel}: no hardware encoder works here; renditions are encoded with libx264")]
        public static partial void Software(ILogger logger, string hwAccel);
    }
}
