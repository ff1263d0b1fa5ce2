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
}

/// <summary>The serializer of every message the server sends (no reflection at run time).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(ApiJson.UtcTimeConverter)])]
[JsonSerializable(typeof(RealtimeMessage))]
public sealed partial class RealtimeJsonContext : JsonSerializerContext;
