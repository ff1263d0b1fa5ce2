using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Realtime;

/// <summary>What the channel says about a peer.</summary>
public sealed record PeerView(
    string Id,
    string UserId,
    string CustomParticipantId,
    string? Name,
    string? Picture,
    string? PresetName,
    bool AudioEnabled,
    bool VideoEnabled,
    bool ScreenshareEnabled,
    DateTimeOffset JoinedAt)
{
    public static PeerView Of(RoomPeer peer) => new(
        peer.Id, peer.Participant.Id, peer.Participant.CustomParticipantId, peer.Name, peer.Participant.Picture, peer.Participant.PresetName,
        peer.AudioEnabled, peer.VideoEnabled, peer.ScreenshareEnabled, peer.JoinedAt);
}

/// <summary>A chat message as the channel sends it.</summary>
public sealed record ChatView(string Id, string? PeerId, string UserId, string? DisplayName, string Type, string Text, DateTimeOffset CreatedAt)
{
    public static ChatView From(ChatMessage message) =>
        new(message.Id, message.PeerId, message.ParticipantId, message.DisplayName, message.PayloadType, message.Payload, message.CreatedAt);
}
