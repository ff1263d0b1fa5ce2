using System.Text.Json;
using System.Text.Json.Serialization;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// A plugin the participant may open (<c>plugins_list</c>): Stagecast's own (<see cref="Plugins.StagecastPlugins"/>) and
/// the app's registered ones; <c>can_start</c> whether this participant's preset may open it.
/// </summary>
public sealed record PluginInfoView(string Id, string Name, string Description, string? Picture, string BaseUrl, bool CanStart);

/// <summary>A plugin open in the meeting: its id, what its opener's client said of it (JSON, as given), who opened it and when.</summary>
public sealed record PluginView(string Id, [property: JsonConverter(typeof(StoredJsonConverter))] byte[] Descriptor, string OpenedBy, DateTimeOffset OpenedAt)
{
    public static PluginView Of(ActivePlugin plugin) => new(plugin.Id, plugin.Descriptor, plugin.OpenedBy, plugin.OpenedAt);
}

/// <summary>A key of a plugin's shared store: its value (JSON; <c>null</c> for a deleted key), who wrote it last and when.</summary>
public sealed record PluginStoreItemView(string Key, [property: JsonConverter(typeof(StoredJsonConverter))] byte[] Value, string PeerId, DateTimeOffset At)
{
    public static PluginStoreItemView Of(PluginStoreEntry entry) => new(entry.Key, entry.Payload, entry.PeerId, entry.At);
}

/// <summary>
/// A value a plugin stored, written as the JSON it is; a value another front end stored that is not JSON (RealtimeKit's
/// socket carries bytes) is written as a string of its UTF-8, and an empty one (a deleted key) as <c>null</c>.
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
        else if (IsJson(value))
        {
            writer.WriteRawValue(value, skipInputValidation: true);
        }
        else
        {
            writer.WriteStringValue(System.Text.Encoding.UTF8.GetString(value));
        }
    }

    private static bool IsJson(byte[] value)
    {
        try
        {
            var reader = new Utf8JsonReader(value);
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
