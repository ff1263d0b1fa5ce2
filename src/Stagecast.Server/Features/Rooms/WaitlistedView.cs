namespace Stagecast.Server.Features.Rooms;

/// <summary>Someone waiting in the meeting's waiting room to be let in.</summary>
public sealed record WaitlistedView(string Id, string UserId, string CustomParticipantId, string? Name, string? PresetName, DateTimeOffset RequestedAt);
