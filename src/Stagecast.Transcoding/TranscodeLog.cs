using Microsoft.Extensions.Logging;
using Stagecast.Media.Codecs;

namespace Stagecast.Transcoding;

/// <summary>The transcoders' log lines.</summary>
internal static partial class TranscodeLog
{
    [LoggerMessage(1, LogLevel.Information, "Stream {StreamId}: encoding {Encodes} with {Encoder}")]
    public static partial void Started(ILogger logger, string streamId, string encodes, string encoder);

    [LoggerMessage(2, LogLevel.Debug, "Stream {StreamId}: no rendition of its ladder is below its {Height}p: nothing to encode")]
    public static partial void NothingToEncode(ILogger logger, string streamId, int height);

    [LoggerMessage(3, LogLevel.Warning, "Stream {StreamId}: {Codec} video cannot be transcoded (H.264 and H.265 can); only its source is played")]
    public static partial void UnsupportedCodec(ILogger logger, string streamId, VideoCodec codec);

    [LoggerMessage(4, LogLevel.Information, "Stream {StreamId}: the source is now {Width}x{Height}; its renditions' ffmpeg starts again")]
    public static partial void SourceChanged(ILogger logger, string streamId, int width, int height);

    [LoggerMessage(5, LogLevel.Warning,
        "Stream {StreamId}: rendition {Rendition} is {Behind:0.0} s behind the source and leaves the playlist until it catches up ({Suppressed} earlier such lines left out)")]
    public static partial void Lagging(ILogger logger, string streamId, string rendition, double behind, long suppressed);

    [LoggerMessage(8, LogLevel.Information, "Stream {StreamId}: rendition {Rendition} caught up ({Behind:0.0} s behind the source) and is live again ({Suppressed} earlier such lines left out)")]
    public static partial void CaughtUp(ILogger logger, string streamId, string rendition, double behind, long suppressed);

    [LoggerMessage(6, LogLevel.Warning, "Stream {StreamId}: reading its renditions' ffmpeg failed")]
    public static partial void OutputReadFailed(ILogger logger, Exception exception, string streamId);

    [LoggerMessage(9, LogLevel.Warning, "Stream {StreamId}: renditions {Renditions} are not encoded, the source plays alone: {Reason} ({Suppressed} earlier such lines left out)")]
    public static partial void Refused(ILogger logger, string streamId, string renditions, string reason, long suppressed);

    [LoggerMessage(7, LogLevel.Error, "Stream {StreamId}: transcoding failed")]
    public static partial void Failed(ILogger logger, Exception exception, string streamId);
}
