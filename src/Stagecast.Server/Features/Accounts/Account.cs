namespace Stagecast.Server.Features.Accounts;

public sealed record Account(string Id, string? Name, DateTimeOffset CreatedAt);
