using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stagecast.Server.Features.Realtime.Protocol;

/// <summary>
/// JSON text checked where it came in (an app message's payload, <see cref="Rooms.AppMessage.Create"/>), written as it
/// is: a message the room passes to every peer is not parsed again for each of them.
/// </summary>
internal sealed class RawJsonConverter : JsonConverter<ReadOnlyMemory<byte>>
{
    public override ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return System.Text.Encoding.UTF8.GetBytes(document.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Span, skipInputValidation: true);
}
