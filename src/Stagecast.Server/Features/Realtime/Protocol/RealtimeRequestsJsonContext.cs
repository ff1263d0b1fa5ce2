using System.Text.Json.Serialization;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Realtime.Protocol;

/// <summary>
/// The requests a client sends on the channel (<see cref="RealtimeRoutes"/>), generated at compile time; they are read
/// with the REST API's options (<see cref="Hosting.Api.ApiJson"/>), as strictly as REST bodies.
/// </summary>
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(EmptyRequest))]
[JsonSerializable(typeof(PageRequest))]
[JsonSerializable(typeof(PeerUpdateRequest))]
[JsonSerializable(typeof(MediaStateRequest))]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ChatEditRequest))]
[JsonSerializable(typeof(ChatPinRequest))]
[JsonSerializable(typeof(ChatDeleteRequest))]
[JsonSerializable(typeof(PollRequest))]
[JsonSerializable(typeof(VoteRequest))]
[JsonSerializable(typeof(WaitlistDecisionRequest))]
[JsonSerializable(typeof(StagePeersRequest))]
[JsonSerializable(typeof(BroadcastRequest))]
[JsonSerializable(typeof(ChatUploadRequest))]
[JsonSerializable(typeof(PluginIdRequest))]
[JsonSerializable(typeof(PluginStoreKeysRequest))]
[JsonSerializable(typeof(PluginStoreInsertRequest))]
[JsonSerializable(typeof(ConnectedMeetingsCreateRequest))]
[JsonSerializable(typeof(ConnectedMeetingsDeleteRequest))]
[JsonSerializable(typeof(ConnectedMeetingsMoveRequest))]
internal sealed partial class RealtimeRequestsJsonContext : JsonSerializerContext;
