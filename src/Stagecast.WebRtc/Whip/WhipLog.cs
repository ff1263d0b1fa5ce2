using Microsoft.Extensions.Logging;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Whip;

/// <summary>The log lines of WHIP publishers.</summary>
internal static partial class WhipLog
{
    [LoggerMessage(10, LogLevel.Information, "WHIP publish to {StreamId} from {Remote}: video {Video}, audio {Audio}")]
    public static partial void Publishing(ILogger logger, string streamId, IcePath? remote, string video, string audio);

    [LoggerMessage(11, LogLevel.Information, "WHIP publish to {StreamId} ended: {Reason}")]
    public static partial void Ended(ILogger logger, string streamId, string reason);
}
