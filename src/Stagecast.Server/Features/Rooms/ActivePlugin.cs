namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// A plugin open in a meeting: its id, what its opener's client said of it (a JSON object), the web app a page frames
/// for it (<see cref="Plugins.PluginUrls.Of"/>: never the descriptor's say; null for a plugin Stagecast does not know),
/// who opened it and when.
/// </summary>
public sealed record ActivePlugin(string Id, byte[] Descriptor, string? BaseUrl, string OpenedBy, DateTimeOffset OpenedAt);
