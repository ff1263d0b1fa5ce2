using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Meetings;

/// <summary>The REST API's requests and answers of meetings, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(MeetingRequest))]
[JsonSerializable(typeof(RoomStreamSetting))]
[JsonSerializable(typeof(ApiListResponse<MeetingDto>))]
[JsonSerializable(typeof(ApiResponse<MeetingDto>))]
internal sealed partial class MeetingsApiJsonContext : JsonSerializerContext;
