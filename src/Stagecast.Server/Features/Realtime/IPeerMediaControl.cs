namespace Stagecast.Server.Features.Realtime;

/// <summary>What a client may say about its media on the channel (<c>media_state</c>): which of its tracks it muted.</summary>
public interface IPeerMediaControl
{
    /// <summary>Mutes (false) or unmutes (true) the peer's camera audio or video; null leaves a track as it is.</summary>
    Task SetMutedAsync(MeetingRoom room, RoomPeer peer, bool? audioEnabled, bool? videoEnabled);
}
