namespace Stagecast.Server.Features.Participants;

/// <summary>
/// Someone who may join a meeting, with the preset that says what they may do there. <see cref="TokenId"/> is the
/// "jti" of their current tokens: refreshing the token replaces it, so earlier tokens stop working.
/// </summary>
public sealed record Participant(
    string Id,
    string MeetingId,
    string AppId,
    string CustomParticipantId,
    string PresetId,
    string? PresetName,
    string? Name,
    string? Picture,
    string TokenId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
