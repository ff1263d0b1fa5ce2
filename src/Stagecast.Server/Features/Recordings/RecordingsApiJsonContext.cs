using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Recordings;

/// <summary>The REST API's requests and answers of recordings, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(RecordingActionRequest))]
[JsonSerializable(typeof(StartRecordingRequest))]
[JsonSerializable(typeof(StartTrackRecordingRequest))]
[JsonSerializable(typeof(ApiListResponse<RecordingDto>))]
[JsonSerializable(typeof(ApiResponse<RecordingDto>))]
internal sealed partial class RecordingsApiJsonContext : JsonSerializerContext;
