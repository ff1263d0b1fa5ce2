using Microsoft.Extensions.Logging;

namespace Stagecast.Compositor;

/// <summary>The log lines of the compositor's ffmpeg children: its decoders and its program's encoder.</summary>
internal static partial class CompositorLog
{
    [LoggerMessage(10, LogLevel.Warning, "Reading the program's {Name} failed")]
    public static partial void EncoderReadFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(11, LogLevel.Warning, "Reading a video decoder's output failed")]
    public static partial void DecoderReadFailed(ILogger logger, Exception exception);
}
