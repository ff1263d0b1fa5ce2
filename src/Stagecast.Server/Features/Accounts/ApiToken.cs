namespace Stagecast.Server.Features.Accounts;

/// <summary>An API token: only its SHA-256 digest and a display prefix are stored.</summary>
public sealed record ApiToken(string Id, string AccountId, byte[] Hash, string Prefix, string? Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
