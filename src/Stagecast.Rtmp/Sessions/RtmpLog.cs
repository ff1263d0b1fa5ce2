using Microsoft.Extensions.Logging;

namespace Stagecast.Rtmp.Sessions;

internal static partial class RtmpLog
{
    [LoggerMessage(100, LogLevel.Debug, "RTMP {Remote}: connected to app '{App}'")]
    public static partial void Connected(ILogger logger, string remote, string app);

    [LoggerMessage(101, LogLevel.Debug, "RTMP {Remote}: publishing to stream {StreamId} with key {Key} ({Result})")]
    public static partial void Publishing(ILogger logger, string remote, string streamId, string key, Streaming.PublishResult result);

    [LoggerMessage(102, LogLevel.Warning, "RTMP {Remote}: publish refused for key {Key}: {Reason}")]
    public static partial void PublishRefused(ILogger logger, string remote, string key, string reason);

    [LoggerMessage(103, LogLevel.Warning, "RTMP {Remote}: closing connection: {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, string remote, string reason);

    [LoggerMessage(104, LogLevel.Debug, "RTMP {Remote}: stream {StreamId} unpublished")]
    public static partial void Unpublished(ILogger logger, string remote, string streamId);

    [LoggerMessage(105, LogLevel.Warning, "RTMP {Remote}: ignoring unsupported {Kind} ({Detail}) on stream {StreamId}")]
    public static partial void UnsupportedCodec(ILogger logger, string remote, string kind, string detail, string streamId);

    [LoggerMessage(106, LogLevel.Debug, "RTMP {Remote}: connection closed ({Reason})")]
    public static partial void Closed(ILogger logger, string remote, string reason);

    [LoggerMessage(107, LogLevel.Information, "RTMP {Remote}: disconnecting publisher of stream {StreamId}: {Reason}")]
    public static partial void Revoked(ILogger logger, string remote, string streamId, string reason);

    [LoggerMessage(108, LogLevel.Warning, "RTMP {Remote}: connection failed")]
    public static partial void Failed(ILogger logger, System.Exception exception, string remote);

    [LoggerMessage(109, LogLevel.Warning, "RTMP {Remote}: connect refused: {Reason}")]
    public static partial void ConnectRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(110, LogLevel.Warning, "RTMP: {Count} more refused or broken connections in the last minute were not logged one by one")]
    public static partial void Suppressed(ILogger logger, long count);

    [LoggerMessage(111, LogLevel.Warning, "RTMP {Remote}: connection refused: {Reason}")]
    public static partial void Refused(ILogger logger, string remote, string reason);
}
