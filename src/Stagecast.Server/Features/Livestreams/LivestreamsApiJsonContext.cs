using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>The REST API's requests and answers of livestreams, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(CreateLivestreamRequest))]
[JsonSerializable(typeof(PatchLivestreamRequest))]
[JsonSerializable(typeof(ApiListResponse<LivestreamDto>))]
[JsonSerializable(typeof(ApiResponse<LivestreamDto>))]
internal sealed partial class LivestreamsApiJsonContext : JsonSerializerContext;
