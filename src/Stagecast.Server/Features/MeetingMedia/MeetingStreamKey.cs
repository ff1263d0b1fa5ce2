namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>
/// Which meeting stream: a peer's camera (with its microphone) or screen share in a meeting. <see cref="HubId"/> is
/// its name in the meeting media hub; nothing reads an identity back out of that name.
/// </summary>
public readonly record struct MeetingStreamKey(string MeetingId, string PeerId, MediaSource Source)
{
    public string HubId => $"{MeetingId}/{PeerId}/{Source.Name()}";

    public override string ToString() => HubId;
}
