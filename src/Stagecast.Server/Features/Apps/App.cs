namespace Stagecast.Server.Features.Apps;

/// <summary>An app of an account: the tenant every livestream, meeting and preset belongs to.</summary>
public sealed record App(string Id, string AccountId, string? Name, DateTimeOffset CreatedAt);
