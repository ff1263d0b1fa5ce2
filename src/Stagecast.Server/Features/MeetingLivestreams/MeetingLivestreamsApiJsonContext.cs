using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.MeetingLivestreams;

/// <summary>The REST API's requests and answers of meetings' livestreams, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(StartMeetingLivestreamRequest))]
[JsonSerializable(typeof(ApiResponse<MeetingLivestreamDto>))]
[JsonSerializable(typeof(ApiResponse<MeetingLivestreamsDto>))]
internal sealed partial class MeetingLivestreamsApiJsonContext : JsonSerializerContext;
