namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// What a room's router (<c>MeetingMedia.MeetingRouter</c>) knows of its room: who is present and how to tell them
/// (<see cref="IRoomPresence"/>), and the peers' media state the room keeps and tells its clients of: mutes, what each
/// peer publishes, who speaks. The room implements it; a test implements it with a list of peers.
/// </summary>
internal interface IMediaRoom : IRoomPresence
{
    Task SetMutedAsync(RoomPeer peer, bool? audioEnabled, bool? videoEnabled);

    Task SetPeerMediaAsync(RoomPeer peer, bool audio, bool video, bool screenshare);

    void SetActiveSpeaker(string peerId);
}
