using Microsoft.Extensions.Logging;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Sfu;

/// <summary>The log lines of meeting participants publishing through the SFU.</summary>
internal static partial class SfuLog
{
    [LoggerMessage(40, LogLevel.Information, "Meeting publish to {StreamId} from {Remote}: video {Video}, audio {Audio}")]
    public static partial void Publishing(ILogger logger, string streamId, IcePath? remote, string video, string audio);

    [LoggerMessage(41, LogLevel.Information, "Meeting publish to {StreamId} ended: {Reason}")]
    public static partial void Ended(ILogger logger, string streamId, string reason);
}
