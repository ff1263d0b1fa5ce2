using Microsoft.Extensions.Logging;
using Stagecast.WebRtc.Srtp;

namespace Stagecast.WebRtc.Transport;

/// <summary>The WebRTC plane's log lines.</summary>
internal sealed partial class WebRtcLog(ILogger logger)
{
    public ILogger Logger => logger;

    public void Listening(int port) => LogListening(logger, port);

    public void Connected(string session, string remote, SrtpProfile profile) => LogConnected(logger, session, remote, profile);

    public void PacketFailed(Exception exception, string remote) => LogPacketFailed(logger, exception, remote);

    public void NotConnected(string session, string client, string reason) => LogNotConnected(logger, session, client, reason);

    [LoggerMessage(1, LogLevel.Information, "WebRTC listening on UDP port {Port}")]
    private static partial void LogListening(ILogger logger, int port);

    [LoggerMessage(2, LogLevel.Debug, "WebRTC session {Session} connected from {Remote} with {Profile}")]
    private static partial void LogConnected(ILogger logger, string session, string remote, SrtpProfile profile);

    [LoggerMessage(3, LogLevel.Warning, "A WebRTC packet from {Remote} could not be handled")]
    private static partial void LogPacketFailed(ILogger logger, Exception exception, string remote);

    [LoggerMessage(4, LogLevel.Information, "WebRTC session {Session} from {Client} ended before it connected: {Reason}")]
    private static partial void LogNotConnected(ILogger logger, string session, string client, string reason);
}
