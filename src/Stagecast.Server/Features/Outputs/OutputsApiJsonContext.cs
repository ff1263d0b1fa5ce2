using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Outputs;

/// <summary>The REST API's requests and answers of restream outputs, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(CreateOutputRequest))]
[JsonSerializable(typeof(PatchOutputRequest))]
[JsonSerializable(typeof(ApiListResponse<OutputDto>))]
[JsonSerializable(typeof(ApiResponse<OutputDto>))]
internal sealed partial class OutputsApiJsonContext : JsonSerializerContext;
