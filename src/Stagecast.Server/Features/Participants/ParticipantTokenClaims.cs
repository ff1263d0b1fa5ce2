namespace Stagecast.Server.Features.Participants;

/// <summary>
/// What a participant token says: who, in which meeting of which app and account, until when; and, for a token given to
/// a person a host moved into another meeting of its group, until when it enters there without waiting
/// (<see cref="MovedUntil"/>: it was let in where it came from). The token carries it, so whichever node the person
/// reaches knows.
/// </summary>
public sealed record ParticipantTokenClaims(
    string ParticipantId, string MeetingId, string AppId, string OrgId, string TokenId, DateTimeOffset ExpiresAt, DateTimeOffset? MovedUntil = null);
