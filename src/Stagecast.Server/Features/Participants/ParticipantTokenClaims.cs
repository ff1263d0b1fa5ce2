namespace Stagecast.Server.Features.Participants;

/// <summary>What a participant token says: who, in which meeting of which app and account, until when.</summary>
public sealed record ParticipantTokenClaims(string ParticipantId, string MeetingId, string AppId, string OrgId, string TokenId, DateTimeOffset ExpiresAt);
