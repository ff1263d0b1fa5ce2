using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Realtime;

/// <summary>What the channel says about a peer; <paramref name="StageStatus"/>: <c>ON_STAGE</c>, <c>REQUESTED</c>, <c>APPROVED</c> or <c>OFF_STAGE</c>.</summary>
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
    string StageStatus,
    DateTimeOffset JoinedAt)
{
    public static PeerView Of(RoomPeer peer) => new(
        peer.Id, peer.Participant.Id, peer.Participant.CustomParticipantId, peer.Name, peer.Participant.Picture, peer.Participant.PresetName,
        peer.AudioEnabled, peer.VideoEnabled, peer.ScreenshareEnabled, peer.Stage.Name(), peer.JoinedAt);
}

/// <summary>Someone asking for the stage, as hosts see it (<c>stage_requests</c>).</summary>
public sealed record StageRequestView(string PeerId, string UserId, string CustomParticipantId, string? Name, string? PresetName, DateTimeOffset? RequestedAt)
{
    public static StageRequestView Of(RoomPeer peer) =>
        new(peer.Id, peer.Participant.Id, peer.Participant.CustomParticipantId, peer.Name, peer.Participant.PresetName, peer.StageRequestedAt);

    public static IReadOnlyList<StageRequestView> Of(IReadOnlyList<RoomPeer> requests) => [.. requests.Select(Of)];
}

/// <summary>
/// A chat message as the channel sends it: <c>text</c> as every front end shows it (<see cref="ChatFiles.Shown"/>);
/// for an image or a file, <c>file_name</c> and <c>file_size</c> (bytes) too, null for a text.
/// </summary>
public sealed record ChatView(string Id, string? PeerId, string UserId, string? DisplayName, string Type, string Text, DateTimeOffset CreatedAt, IReadOnlyList<string>? TargetUserIds,
    string? FileName, long? FileSize, bool Pinned, bool Edited)
{
    public static ChatView From(ChatMessage message, ChatFiles files)
    {
        var file = ChatFileJson.Of(message);
        return new(message.Id, message.PeerId, message.ParticipantId, message.DisplayName, message.PayloadType, files.Shown(message), message.CreatedAt, message.TargetUserIds,
            file?.Name, file?.Size, message.Pinned, message.IsEdited);
    }
}
