using Stagecast.Server.Features.MeetingMedia;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>What RealtimeKit's transports and producers work with: the maker of meeting transports and the meetings' routers.</summary>
public sealed class RealtimeKitMediaServices(MeetingTransports transports, MeetingMediaService media)
{
    public MeetingTransports Transports { get; } = transports;

    public MeetingMediaService Media { get; } = media;
}
