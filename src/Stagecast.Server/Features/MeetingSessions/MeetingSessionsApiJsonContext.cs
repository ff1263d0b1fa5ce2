using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>The REST API's requests and answers of meeting sessions, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(ApiPagedResponse<MeetingSessionListDto>))]
[JsonSerializable(typeof(ApiPagedResponse<MeetingSessionParticipantsDto>))]
[JsonSerializable(typeof(ApiResponse<ChatDownloadDto>))]
[JsonSerializable(typeof(ApiResponse<MeetingSessionDto>))]
[JsonSerializable(typeof(ApiResponse<MeetingSessionParticipantDetailsDto>))]
[JsonSerializable(typeof(ApiResponse<PeerReportDetailsDto>))]
internal sealed partial class MeetingSessionsApiJsonContext : JsonSerializerContext;
