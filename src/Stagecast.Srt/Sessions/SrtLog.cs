using Microsoft.Extensions.Logging;

namespace Stagecast.Srt.Sessions;

internal static partial class SrtLog
{
    [LoggerMessage(300, LogLevel.Information, "SRT listening on UDP {EndPoint} (libsrt: {Library}, loaded with the first caller)")]
    public static partial void Listening(ILogger logger, string endPoint, string library);

    [LoggerMessage(316, LogLevel.Information, "SRT: libsrt {Version} loaded ({Library})")]
    public static partial void Loaded(ILogger logger, string version, string library);

    [LoggerMessage(301, LogLevel.Warning, "SRT is off: {Reason}")]
    public static partial void Unavailable(ILogger logger, string reason);

    [LoggerMessage(302, LogLevel.Warning, "SRT {Remote}: refused: {Reason}")]
    public static partial void Refused(ILogger logger, string remote, string reason);

    [LoggerMessage(303, LogLevel.Debug, "SRT {Remote}: publishing to stream {StreamId} with key {Key} ({Result})")]
    public static partial void Publishing(ILogger logger, string remote, string streamId, string key, Streaming.PublishResult result);

    [LoggerMessage(304, LogLevel.Debug, "SRT {Remote}: reading stream {StreamId}")]
    public static partial void Reading(ILogger logger, string remote, string streamId);

    [LoggerMessage(305, LogLevel.Debug, "SRT {Remote}: connection closed ({Reason})")]
    public static partial void Closed(ILogger logger, string remote, string reason);

    [LoggerMessage(306, LogLevel.Information, "SRT {Remote}: disconnecting publisher of stream {StreamId}: {Reason}")]
    public static partial void Revoked(ILogger logger, string remote, string streamId, string reason);

    [LoggerMessage(307, LogLevel.Warning, "SRT {Remote}: closing connection: {Reason}")]
    public static partial void Broken(ILogger logger, string remote, string reason);

    [LoggerMessage(308, LogLevel.Warning, "SRT {Remote}: ignoring unsupported {Kind} ({Detail}) on stream {StreamId}")]
    public static partial void Unsupported(ILogger logger, string remote, string kind, string detail, string streamId);

    [LoggerMessage(309, LogLevel.Warning, "SRT: {Count} more refused or broken connections in the last minute were not logged one by one")]
    public static partial void Suppressed(ILogger logger, long count);

    [LoggerMessage(310, LogLevel.Error, "SRT: the connection loop failed")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(314, LogLevel.Debug, "SRT: a caller knocked; libsrt listens on the port")]
    public static partial void Woken(ILogger logger);

    [LoggerMessage(315, LogLevel.Debug, "SRT: nothing open for {Seconds} s; libsrt sleeps until the next caller")]
    public static partial void Sleeping(ILogger logger, double seconds);

    [LoggerMessage(313, LogLevel.Error, "SRT {Remote}: the connection failed")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, string remote);

    [LoggerMessage(312, LogLevel.Debug, "SRT {Remote}: stream {StreamId} unpublished (the caller closed the connection)")]
    public static partial void Unpublished(ILogger logger, string remote, string streamId);

    [LoggerMessage(311, LogLevel.Error, "SRT {Remote}: checking the stream key failed")]
    public static partial void AuthorizationFailed(ILogger logger, Exception exception, string remote);
}
