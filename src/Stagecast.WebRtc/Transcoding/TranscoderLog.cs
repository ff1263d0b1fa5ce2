using Microsoft.Extensions.Logging;

namespace Stagecast.WebRtc.Transcoding;

/// <summary>The transcoders' log lines.</summary>
internal static partial class TranscoderLog
{
    [LoggerMessage(30, LogLevel.Warning, "Reading ffmpeg's Opus for stream {StreamId} failed")]
    public static partial void OpusReadFailed(ILogger logger, Exception exception, string streamId);

    [LoggerMessage(31, LogLevel.Warning, "Reading ffmpeg's output ({Name}) for stream {StreamId} failed")]
    public static partial void OutputReadFailed(ILogger logger, Exception exception, string name, string streamId);
}
