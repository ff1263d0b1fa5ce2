namespace Stagecast.Server.Features.Realtime;

/// <summary>What a socket's participant token said: its account, which token it was, and until when it is good.</summary>
public sealed record ParticipantCredential(string AccountId, string TokenId, DateTimeOffset ExpiresAt);
