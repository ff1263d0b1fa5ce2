using System.Text.Json.Nodes;

namespace Stagecast.Server.Features.Presets;

/// <summary>
/// What a participant may do and how their meeting looks, as RealtimeKit defines presets: <c>config</c>,
/// <c>permissions</c> and <c>ui</c> documents. Stagecast acts on <see cref="PresetPermissions"/> and keeps the rest as given.
/// </summary>
public sealed record Preset(
    string Id,
    string AppId,
    string Name,
    JsonObject Config,
    JsonObject Permissions,
    JsonObject Ui,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public PresetPermissions Effective => PresetPermissions.From(Config, Permissions);
}
