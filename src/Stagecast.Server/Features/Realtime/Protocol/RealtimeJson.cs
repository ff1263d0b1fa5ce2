using System.Text.Json;
using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Realtime.Protocol;

/// <summary>
/// JSON of the channel, snake_case like the REST API: what the server sends through the source-generated
/// <see cref="RealtimeJsonContext"/>; requests are read strictly like REST bodies (<see cref="RealtimeRequestsJsonContext"/>).
/// </summary>
public static class RealtimeJson
{
    public static byte[] Serialize(RealtimeMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, RealtimeJsonContext.Default.RealtimeMessage);

    /// <summary>How many bytes a chat message or a poll takes in a message (what pages are measured by).</summary>
    public static int SizeOf(ChatView chat) => JsonSerializer.SerializeToUtf8Bytes(chat, RealtimeJsonContext.Default.ChatView).Length;

    /// <inheritdoc cref="SizeOf(ChatView)"/>
    public static int SizeOf(Rooms.PollView poll) => JsonSerializer.SerializeToUtf8Bytes(poll, RealtimeJsonContext.Default.PollView).Length;
}

/// <summary>The serializer of every message the server sends (no reflection at run time).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(ApiJson.UtcTimeConverter)])]
[JsonSerializable(typeof(RealtimeMessage))]
[JsonSerializable(typeof(ChatView))]
[JsonSerializable(typeof(Rooms.PollView))]
public sealed partial class RealtimeJsonContext : JsonSerializerContext;
