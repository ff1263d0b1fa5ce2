using Stagecast.WebRtc.Congestion;

namespace Stagecast.WebRtc.Sfu;

/// <summary>A connection that sends a subscriber its consumers (a RealtimeKit receive transport, a WHEP viewer of a WebRTC publisher), as its metrics see it.</summary>
public interface ISubscriberConnection
{
    /// <summary>What its downlink carries, as far as the client's transport-wide feedback tells (null before any, or without it).</summary>
    DownlinkFigures? Estimate { get; }

    /// <summary>The tracks it sends.</summary>
    IReadOnlyList<SfuConsumer> Consumers { get; }
}
