namespace Stagecast.Server.Features.Programs;

/// <summary>Whose quotas a meeting's program counts against: its meeting's app, and that app's account.</summary>
public readonly record struct ProgramOwner(string AppId, string AccountId);
