using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Presets;

/// <summary>The REST API's requests and answers of presets, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(PresetRequest))]
[JsonSerializable(typeof(ApiListResponse<PresetDto>))]
[JsonSerializable(typeof(ApiResponse<PresetDto>))]
internal sealed partial class PresetsApiJsonContext : JsonSerializerContext;
