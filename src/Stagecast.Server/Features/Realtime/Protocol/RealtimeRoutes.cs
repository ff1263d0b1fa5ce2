using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.Realtime;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Realtime.Protocol;

/// <summary>How a request of one type is read and answered.</summary>
/// <param name="BeforeJoin">Whether it may come before <c>join</c>.</param>
/// <param name="Handle">Reads the request's fields (its syntax is checked) and answers it; null when the answer comes later (a waitlisted join).</param>
public sealed record RealtimeRoute(bool BeforeJoin, Func<RealtimeClient, string?, ReadOnlyMemory<byte>, Task<RealtimeMessage?>> Handle);

/// <summary>
/// Every request a client may send, by its <c>type</c>: the record its fields are read into and the handler that
/// answers it. Adding a request is a record (RealtimeRequests.cs), a handler and a line here.
/// </summary>
public static class RealtimeRoutes
{
    public static readonly IReadOnlyDictionary<string, RealtimeRoute> All = new Dictionary<string, RealtimeRoute>(StringComparer.Ordinal)
    {
        ["ping"] = new(true, (_, id, _) => Task.FromResult<RealtimeMessage?>(new PongMessage(id))),
        ["join"] = new(true, (client, id, message) => client.JoinAsync(id, JsonBody<JoinRequest>.ParseChecked(message.Span, client.RequestOptions))),
        ["leave"] = Ask<EmptyRequest>((client, _) => client.LeaveAsync()),
        ["peer_update"] = Ask<PeerUpdateRequest>((client, request) => client.UpdatePeerAsync(request)),
        ["media_state"] = Ask<MediaStateRequest>((client, request) => client.MediaStateAsync(request)),
        ["chat_send"] = Ask<ChatRequest>((client, request) => client.ChatAsync(request)),
        ["chat_upload"] = Ask<ChatUploadRequest>((client, request) => client.ChatUploadAsync(request)),
        ["chat_edit"] = Ask<ChatEditRequest>((client, request) => client.EditChatAsync(request)),
        ["chat_pin"] = Ask<ChatPinRequest>((client, request) => client.PinChatAsync(request)),
        ["chat_delete"] = Ask<ChatDeleteRequest>((client, request) => client.DeleteChatAsync(request)),
        ["chat_history"] = Ask<PageRequest>((client, request) => client.ChatHistoryAsync(request)),
        ["polls_list"] = Ask<PageRequest>((client, request) => client.PollsListAsync(request)),
        ["broadcast_send"] = Ask<BroadcastRequest>((client, request) => client.BroadcastAsync(request)),
        ["poll_create"] = Ask<PollRequest>((client, request) => client.CreatePollAsync(request)),
        ["poll_vote"] = Ask<VoteRequest>((client, request) => client.VoteAsync(request)),
        ["livestream_start"] = Ask<StartMeetingLivestreamRequest>((client, request) => client.StartLivestreamAsync(request)),
        ["livestream_stop"] = Ask<EmptyRequest>((client, _) => client.StopLivestreamAsync()),
        ["waitlist_accept"] = Ask<WaitlistDecisionRequest>((client, request) => client.DecideAsync(request, accept: true)),
        ["waitlist_reject"] = Ask<WaitlistDecisionRequest>((client, request) => client.DecideAsync(request, accept: false)),
        ["stage_request"] = Ask<EmptyRequest>((client, _) => client.ChangeOwnStageAsync((room, self) => room.Stage.RequestAsync(self))),
        ["stage_cancel_request"] = Ask<EmptyRequest>((client, _) => client.ChangeOwnStageAsync((room, self) => room.Stage.CancelRequestAsync(self))),
        ["stage_join"] = Ask<EmptyRequest>((client, _) => client.ChangeOwnStageAsync((room, self) => room.Stage.JoinAsync(self))),
        ["stage_leave"] = Ask<EmptyRequest>((client, _) => client.ChangeOwnStageAsync((room, self) => room.Stage.LeaveAsync(self))),
        ["stage_grant"] = Ask<StagePeersRequest>((client, request) => client.ActOnStageAsync(request, (room, host, match) => room.Stage.GrantAsync(host, match))),
        ["stage_deny"] = Ask<StagePeersRequest>((client, request) => client.ActOnStageAsync(request, (room, host, match) => room.Stage.DenyAsync(host, match))),
        ["stage_kick"] = Ask<StagePeersRequest>((client, request) => client.ActOnStageAsync(request, (room, host, match) => room.Stage.KickAsync(host, match))),
        ["connected_meetings"] = Ask<EmptyRequest>((client, _) => client.ConnectedMeetingsAsync()),
        ["connected_meetings_create"] = Ask<ConnectedMeetingsCreateRequest>((client, request) => client.CreateConnectedMeetingsAsync(request)),
        ["connected_meetings_delete"] = Ask<ConnectedMeetingsDeleteRequest>((client, request) => client.DeleteConnectedMeetingsAsync(request)),
        ["connected_meetings_move"] = Ask<ConnectedMeetingsMoveRequest>((client, request) => client.MoveParticipantsAsync(request)),
        ["plugins_list"] = Ask<EmptyRequest>((client, _) => client.PluginsListAsync()),
        ["plugin_activate"] = Ask<PluginIdRequest>((client, request) => client.ActivatePluginAsync(request)),
        ["plugin_deactivate"] = Ask<PluginIdRequest>((client, request) => client.DeactivatePluginAsync(request)),
        ["plugin_store_get"] = Ask<PluginStoreKeysRequest>((client, request) => client.PluginStoreGetAsync(request)),
        ["plugin_store_insert"] = Ask<PluginStoreInsertRequest>((client, request) => client.PluginStoreInsertAsync(request)),
        ["plugin_store_delete"] = Ask<PluginStoreKeysRequest>((client, request) => client.PluginStoreDeleteAsync(request)),
    };

    /// <summary>A request answered with <c>ok</c> and the handler's data.</summary>
    private static RealtimeRoute Ask<T>(Func<RealtimeClient, T, Task<RealtimeAnswer>> handler, bool beforeJoin = false)
        where T : class, new() =>
        new(beforeJoin, async (client, id, message) =>
            new OkMessage(id, await handler(client, JsonBody<T>.ParseChecked(message.Span, client.RequestOptions)).ConfigureAwait(false)));
}
