using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Server.Features.MeetingMedia;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// The router's producers in RealtimeKit's words: a producer's state, and its changes as
/// <c>media.peerProducer{Create,Toggle,Close}Broadcast</c> (other front ends learn them as <c>PeerUpdated</c>).
/// </summary>
public static class RealtimeKitProducerViews
{
    /// <summary>What a screen share track's producer carries when its client gave nothing: the SDK files a consumed track as a screen share by it, as its own producers write it.</summary>
    private const string ScreenShareAppData = """{"screenShare":true}""";

    public static ProducerState State(MeetingProducer producer)
    {
        string mimeType = $"{(producer.Video ? "video" : "audio")}/{producer.Codec.Name}";
        return new ProducerState
        {
            ProducerId = producer.Id,
            Kind = producer.Video ? ProducerKind.Video : ProducerKind.Audio,
            Pause = producer.Paused,
            ScreenShare = producer.ScreenShare,
            AppData = producer.AppData ?? (producer.ScreenShare ? ScreenShareAppData : ""),
            ProducingTransportId = producer.TransportId,
            MimeType = mimeType,
            Codec = new Codec { MimeType = mimeType, ClockRate = producer.Codec.ClockRate, Channels = producer.Codec.Channels, PayloadType = (uint)producer.Codec.PayloadType },
        };
    }

    /// <summary>
    /// The broadcast of a change, naming the producing peer as <paramref name="participantId"/> and the peer who paused
    /// it for it as <paramref name="initiatorId"/> (their ids towards the receiving client).
    /// </summary>
    public static (uint Event, IMessage Message) Broadcast(ProducerChanged changed, string participantId, string? initiatorId)
    {
        var state = State(changed.Producer);
        var toggle = new PeerProducerToggleBroadcastResponse { ParticipantId = participantId, ProducerState = state };
        if (initiatorId is not null)
        {
            toggle.InitiatorParticipantId = initiatorId;
        }

        return changed.Change switch
        {
            ProducerChange.Created => (Events.Media.PeerProducerCreateBroadcast, new PeerProducerCreateBroadcastResponse { ParticipantId = participantId, ProducerState = state }),
            ProducerChange.Toggled => (Events.Media.PeerProducerToggleBroadcast, toggle),
            _ => (Events.Media.PeerProducerCloseBroadcast, new PeerProducerCloseBroadcastResponse { ParticipantId = participantId, ProducerState = state }),
        };
    }
}
