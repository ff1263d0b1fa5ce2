using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.RoomStreams;

/// <summary>The REST API's requests and answers of room streams, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(ApiListResponse<RoomStreamView>))]
[JsonSerializable(typeof(ApiResponse<RoomStreamView>))]
internal sealed partial class RoomStreamsApiJsonContext : JsonSerializerContext;
