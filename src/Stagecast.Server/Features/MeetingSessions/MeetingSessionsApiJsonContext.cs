using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>The REST API's requests and answers of meeting sessions, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(ApiPagedResponse<SessionListDto>))]
[JsonSerializable(typeof(ApiPagedResponse<SessionParticipantsDto>))]
[JsonSerializable(typeof(ApiResponse<ChatDownloadDto>))]
[JsonSerializable(typeof(ApiResponse<MeetingSessionDto>))]
[JsonSerializable(typeof(ApiResponse<SessionParticipantDetailsDto>))]
internal sealed partial class MeetingSessionsApiJsonContext : JsonSerializerContext;
