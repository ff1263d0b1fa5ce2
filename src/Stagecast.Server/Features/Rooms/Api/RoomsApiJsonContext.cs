using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Rooms.Api;

/// <summary>The REST API's requests and answers of sessions in progress, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(KickRequest))]
[JsonSerializable(typeof(PollRequest))]
[JsonSerializable(typeof(AppMessageRequest))]
[JsonSerializable(typeof(ApiResponse<BroadcastedDto>))]
[JsonSerializable(typeof(ApiResponse<KickedAllDto>))]
[JsonSerializable(typeof(ApiResponse<KickedDto>))]
[JsonSerializable(typeof(ApiResponse<PollCreatedDto>))]
[JsonSerializable(typeof(ApiResponse<StageDto>))]
[JsonSerializable(typeof(ApiResponse<StageActedDto>))]
internal sealed partial class RoomsApiJsonContext : JsonSerializerContext;
