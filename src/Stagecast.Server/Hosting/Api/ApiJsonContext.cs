using System.Text.Json.Serialization;
using Stagecast.Server.Features.Analytics;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Outputs;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Realtime;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Features.Recordings;
using Stagecast.Server.Features.RoomStreams;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Features.Rooms.Api;
using Stagecast.Server.Features.Web;
using Stagecast.Server.Features.Webhooks;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// Every type the REST API (and the realtime channel's requests) reads or writes, serialized by code generated at
/// compile time: the release is a Native AOT binary, with no reflection to fall back on, and <see cref="ApiJson"/>
/// gives the server's JSON options this context alone, so a type missing here fails in every build and test, not
/// only in the release. A new request record or answer adds its line.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(ApiJson.UtcTimeConverter)])]
// Envelopes
[JsonSerializable(typeof(ApiErrorResponse))]
[JsonSerializable(typeof(ApiResponse<MessageDto>))]
// Requests
[JsonSerializable(typeof(AddParticipantRequest))]
[JsonSerializable(typeof(CreateAppRequest))]
[JsonSerializable(typeof(CreateLivestreamRequest))]
[JsonSerializable(typeof(CreateOutputRequest))]
[JsonSerializable(typeof(KickRequest))]
[JsonSerializable(typeof(MeetingRequest))]
[JsonSerializable(typeof(PatchLivestreamRequest))]
[JsonSerializable(typeof(PatchOutputRequest))]
[JsonSerializable(typeof(PresetRequest))]
[JsonSerializable(typeof(RecordingActionRequest))]
[JsonSerializable(typeof(RoomStreamSetting))]
[JsonSerializable(typeof(StartMeetingLivestreamRequest))]
[JsonSerializable(typeof(StartRecordingRequest))]
[JsonSerializable(typeof(StartTrackRecordingRequest))]
[JsonSerializable(typeof(UpdateParticipantRequest))]
[JsonSerializable(typeof(WebhookRequest))]
// Realtime channel requests (RealtimeRoutes)
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(EmptyRequest))]
[JsonSerializable(typeof(PeerUpdateRequest))]
[JsonSerializable(typeof(MediaStateRequest))]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(PollRequest))]
[JsonSerializable(typeof(VoteRequest))]
[JsonSerializable(typeof(WaitlistDecisionRequest))]
// Answers
[JsonSerializable(typeof(ApiListResponse<AppDto>))]
[JsonSerializable(typeof(ApiListResponse<DeliveryDto>))]
[JsonSerializable(typeof(ApiListResponse<LivestreamDto>))]
[JsonSerializable(typeof(ApiListResponse<LivestreamSessionDto>))]
[JsonSerializable(typeof(ApiListResponse<MeetingDto>))]
[JsonSerializable(typeof(ApiListResponse<OutputDto>))]
[JsonSerializable(typeof(ApiListResponse<ParticipantDto>))]
[JsonSerializable(typeof(ApiListResponse<PresetDto>))]
[JsonSerializable(typeof(ApiListResponse<RecordingDto>))]
[JsonSerializable(typeof(ApiListResponse<RoomStreamView>))]
[JsonSerializable(typeof(ApiListResponse<WebhookDto>))]
[JsonSerializable(typeof(ApiPagedResponse<SessionListDto>))]
[JsonSerializable(typeof(ApiPagedResponse<SessionParticipantsDto>))]
[JsonSerializable(typeof(ApiResponse<ActiveLivestreamSessionDto>))]
[JsonSerializable(typeof(ApiResponse<AnalyticsOverallDto>))]
[JsonSerializable(typeof(ApiResponse<ChatDownloadDto>))]
[JsonSerializable(typeof(ApiResponse<CreatedAppDto>))]
[JsonSerializable(typeof(ApiResponse<DaywiseDto>))]
[JsonSerializable(typeof(ApiResponse<DeliveryDto>))]
[JsonSerializable(typeof(ApiResponse<IReadOnlyList<AnalyticsDayDto>>))]
[JsonSerializable(typeof(ApiResponse<KickedAllDto>))]
[JsonSerializable(typeof(ApiResponse<KickedDto>))]
[JsonSerializable(typeof(ApiResponse<LivestreamDetailsDto>))]
[JsonSerializable(typeof(ApiResponse<LivestreamDto>))]
[JsonSerializable(typeof(ApiResponse<LivestreamSessionDto>))]
[JsonSerializable(typeof(ApiResponse<MeetingDto>))]
[JsonSerializable(typeof(ApiResponse<MeetingLivestreamDto>))]
[JsonSerializable(typeof(ApiResponse<MeetingLivestreamsDto>))]
[JsonSerializable(typeof(ApiResponse<MeetingSessionDto>))]
[JsonSerializable(typeof(ApiResponse<OutputDto>))]
[JsonSerializable(typeof(ApiResponse<ParticipantDto>))]
[JsonSerializable(typeof(ApiResponse<PollCreatedDto>))]
[JsonSerializable(typeof(ApiResponse<PresetDto>))]
[JsonSerializable(typeof(ApiResponse<RecordingDto>))]
[JsonSerializable(typeof(ApiResponse<RoomStreamView>))]
[JsonSerializable(typeof(ApiResponse<SessionParticipantDetailsDto>))]
[JsonSerializable(typeof(ApiResponse<TokenDto>))]
[JsonSerializable(typeof(ApiResponse<WebhookDto>))]
[JsonSerializable(typeof(WebPages.WatchState))]
[JsonSerializable(typeof(ApiResponse<IReadOnlyList<ClusterNodeInfo>>))]
[JsonSerializable(typeof(ApiResponse<PublicKeyDto>))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
