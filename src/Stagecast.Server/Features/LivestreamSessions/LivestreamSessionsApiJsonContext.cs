using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>The REST API's requests and answers of livestream sessions, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(ApiListResponse<LivestreamSessionDto>))]
[JsonSerializable(typeof(ApiResponse<ActiveLivestreamSessionDto>))]
[JsonSerializable(typeof(ApiResponse<LivestreamDetailsDto>))]
[JsonSerializable(typeof(ApiResponse<LivestreamSessionDto>))]
internal sealed partial class LivestreamSessionsApiJsonContext : JsonSerializerContext;
