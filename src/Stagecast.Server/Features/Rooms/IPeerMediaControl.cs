namespace Stagecast.Server.Features.Rooms;

/// <summary>What a peer may say about its own media, and a host about others' (meeting media provides it): which tracks are muted.</summary>
public interface IPeerMediaControl
{
    /// <summary>Mutes (false) or unmutes (true) the peer's camera audio or video; null leaves a track as it is.</summary>
    Task SetMutedAsync(MeetingRoom room, RoomPeer peer, bool? audioEnabled, bool? videoEnabled);

    /// <summary>A host turns the peer's microphone (<paramref name="audio"/>) or camera (<paramref name="video"/>) off: what it produces of them pauses, told as the host's doing.</summary>
    Task HostMuteAsync(MeetingRoom room, RoomPeer peer, bool audio, bool video, RoomPeer host);
}
