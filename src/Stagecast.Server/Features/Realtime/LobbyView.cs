namespace Stagecast.Server.Features.Realtime;

/// <summary>What a participant sees of its meeting before joining (<c>GET /realtime/v1/meeting</c>): the meeting's id and title, its own name and preset.</summary>
public sealed record LobbyView(string MeetingId, string? Title, string? Name, string? PresetName);
