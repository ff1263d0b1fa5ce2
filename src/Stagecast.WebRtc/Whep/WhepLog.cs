using Microsoft.Extensions.Logging;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Whep;

/// <summary>The log lines of WHEP viewers, whichever way their media comes.</summary>
internal static partial class WhepLog
{
    [LoggerMessage(20, LogLevel.Information, "WHEP viewer of {StreamId} connected from {Remote}")]
    public static partial void Connected(ILogger logger, string streamId, IcePath? remote);

    [LoggerMessage(21, LogLevel.Information, "WHEP viewer of {StreamId} connected from {Remote}, forwarded from its WebRTC publisher")]
    public static partial void ConnectedForwarded(ILogger logger, string streamId, IcePath? remote);

    [LoggerMessage(22, LogLevel.Information, "WHEP viewer of {StreamId} left: {Reason}")]
    public static partial void Left(ILogger logger, string streamId, string reason);
}
