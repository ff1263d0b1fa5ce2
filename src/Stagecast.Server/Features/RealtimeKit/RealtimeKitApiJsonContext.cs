using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.RealtimeKit;

[JsonSerializable(typeof(ApiResponse<JsonObject>))]
[JsonSerializable(typeof(ApiResponse<ParticipantLivestreamDto>))]
[JsonSerializable(typeof(ApiResponse<PluginsDto>))]
[JsonSerializable(typeof(ApiResponse<PluginTokenDto>))]
[JsonSerializable(typeof(ParticipantRecordingRequest))]
[JsonSerializable(typeof(ChatUploadRequest))]
[JsonSerializable(typeof(ApiResponse<ChatUploadDto>))]
internal sealed partial class RealtimeKitApiJsonContext : JsonSerializerContext;
