using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// One connection of a front end that serves a peer: a socket of the JSON channel (Features/Realtime) or, next,
/// RealtimeKit's protobuf socket. The room learns from it who the participant is and tells it what happens, as typed
/// <see cref="RoomEvent"/>s that the front end writes in its own protocol.
/// </summary>
public interface IRoomClient
{
    Participant Participant { get; }

    /// <summary>What the participant may do, as of this connection (its preset).</summary>
    PresetPermissions Permissions { get; }

    /// <summary>
    /// Something <paramref name="peer"/> (the peer this connection serves) may see happened, or, for <see cref="Kicked"/>
    /// and <see cref="Replaced"/>, happened to it. Called as it happens, often under the room's lock, and never twice at
    /// once for one room: read what the event carries now, queue what to send, never wait.
    /// </summary>
    void Notify(RoomPeer peer, RoomEvent change);
}
