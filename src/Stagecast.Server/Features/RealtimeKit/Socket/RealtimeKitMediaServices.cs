using Stagecast.Server.Features.MeetingMedia;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>What RealtimeKit's transports and producers work with: the server's WebRTC transport and the meetings' media.</summary>
public sealed class RealtimeKitMediaServices(WebRtcTransport transport, MeetingMediaService media, MeetingMediaHub tracks, ILoggerFactory loggers)
{
    public WebRtcTransport Transport { get; } = transport;

    public MeetingMediaService Media { get; } = media;

    public MeetingMediaHub Tracks { get; } = tracks;

    public ILoggerFactory Loggers { get; } = loggers;
}
