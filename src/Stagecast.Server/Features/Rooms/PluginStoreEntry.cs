namespace Stagecast.Server.Features.Rooms;

/// <summary>One key of a plugin's shared store: its value (JSON, as the plugin wrote it; empty: none), who wrote it last and when.</summary>
public sealed record PluginStoreEntry(string Key, byte[] Payload, string PeerId, DateTimeOffset At);
