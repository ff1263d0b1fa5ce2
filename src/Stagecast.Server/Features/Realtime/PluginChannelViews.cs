using System.Text.Json;
using System.Text.Json.Serialization;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// A plugin the participant may open (<c>plugins_list</c>): Stagecast's own (<see cref="Plugins.StagecastPlugins"/>) and
/// the app's registered ones; <c>can_start</c> whether this participant's preset may open it.
/// </summary>
public sealed record PluginInfoView(string Id, string Name, string Description, string? Picture, string BaseUrl, bool CanStart);

/// <summary>
/// A plugin open in the meeting: its id, what its opener's client said of it (a JSON object, as given), the web app to
/// frame for it (<see cref="ActivePlugin.BaseUrl"/>: its registration's, a path on this server for Stagecast's own, null
/// for one Stagecast does not know; never read from the descriptor), who opened it and when.
/// </summary>
public sealed record PluginView(string Id, [property: JsonConverter(typeof(StoredJsonConverter))] byte[] Descriptor, string? BaseUrl, string OpenedBy, DateTimeOffset OpenedAt)
{
    public static PluginView Of(ActivePlugin plugin) => new(plugin.Id, plugin.Descriptor, plugin.BaseUrl, plugin.OpenedBy, plugin.OpenedAt);
}

/// <summary>A key of a plugin's shared store: its value (JSON; <c>null</c> for a deleted key), who wrote it last and when.</summary>
public sealed record PluginStoreItemView(string Key, [property: JsonConverter(typeof(StoredJsonConverter))] byte[] Value, string PeerId, DateTimeOffset At)
{
    public static PluginStoreItemView Of(PluginStoreEntry entry) => new(entry.Key, entry.Payload, entry.PeerId, entry.At);
}

/// <summary>
/// A value a plugin stored, written as the JSON it is (the room took only UTF-8 JSON: <see cref="PluginLimits.CheckValue"/>),
/// and an empty one (a deleted key, or a value RealtimeKit's SDK sent for <c>undefined</c>) as <c>null</c>.
/// </summary>
internal sealed class StoredJsonConverter : JsonConverter<byte[]>
{
    public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

    public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options)
    {
        if (value.Length == 0)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(value, skipInputValidation: true);
        }
    }
}
