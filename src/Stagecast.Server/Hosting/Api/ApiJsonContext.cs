using System.Text.Json.Serialization;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// The API's own types (its envelopes), serialized by code generated at compile time: the release is a Native AOT
/// binary, with no reflection to fall back on. Each feature adds a context of its requests and answers
/// (<see cref="ApiJson.AddApiJson"/>); <see cref="ApiJson"/> gives the server's JSON options those contexts alone, so a
/// type missing from them fails in every build and test, not only in the release.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(ApiJson.UtcTimeConverter)])]
[JsonSerializable(typeof(ApiErrorResponse))]
[JsonSerializable(typeof(ApiResponse<MessageDto>))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
