using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Server.Features.Rooms;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// A RealtimeKit peer's producer was created, paused or resumed, or closed: the room's other RealtimeKit clients are
/// told with <c>media.peerProducer{Create,Toggle,Close}Broadcast</c> (other front ends learn it as <see cref="PeerUpdated"/>).
/// </summary>
public sealed record RealtimeKitProducerChanged(RoomPeer Peer, uint Event, ProducerState State) : RoomEvent
{
    public static RealtimeKitProducerChanged Created(RoomPeer peer, ProducerState state) => new(peer, Events.Media.PeerProducerCreateBroadcast, state);

    public static RealtimeKitProducerChanged Toggled(RoomPeer peer, ProducerState state) => new(peer, Events.Media.PeerProducerToggleBroadcast, state);

    public static RealtimeKitProducerChanged Closed(RoomPeer peer, ProducerState state) => new(peer, Events.Media.PeerProducerCloseBroadcast, state);

    /// <summary>The broadcast, naming the producing peer as <paramref name="participantId"/> (its id towards the receiving client).</summary>
    public IMessage Broadcast(string participantId) => Event switch
    {
        Events.Media.PeerProducerCreateBroadcast => new PeerProducerCreateBroadcastResponse { ParticipantId = participantId, ProducerState = State },
        Events.Media.PeerProducerToggleBroadcast => new PeerProducerToggleBroadcastResponse { ParticipantId = participantId, ProducerState = State },
        _ => new PeerProducerCloseBroadcastResponse { ParticipantId = participantId, ProducerState = State },
    };
}
