using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.MeetingSockets;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// One participant's socket on the channel, a front end of its meeting room: reads its requests, answers each
/// (<c>{"type":"ok","id",…,"data"}</c> or <c>{"type":"error","id",…,"code","message"}</c>) and passes them to the
/// room, and writes what happens in the room (<see cref="Notify"/>). The first request must be <c>join</c>, within
/// the join timeout. Every message is charged to the socket's rate limit before it is parsed; one that keeps sending
/// past it is closed (1008). The socket closes when its token expires, and privileged requests re-check the token
/// and the preset, so a revoked token or a demotion takes effect at once.
/// </summary>
public sealed partial class RealtimeClient(
    MeetingSocket connection,
    Participant participant,
    PresetPermissions permissions,
    ParticipantCredential credential,
    string origin,
    RealtimeServices services) : IRoomClient
{
    /// <summary>How much chat, and how much of the polls, one answer carries at most (a join's, a page's).</summary>
    private const int PageBytes = 64 * 1024;
    private readonly MeetingSocketOptions _options = services.Options;
    private readonly TokenBucket _messages = new(services.Time, services.Options.MessagesPerSecond, services.Options.MessagesPerSecond * 2.0);
    private int _refusedInRow;
    private RoomPeer? _peer;
    private MeetingRoom? _room;
    private readonly RoomEntry _entry = new(services.Rooms, participant.MeetingId, credential.MovedUntil);
    private bool _left;
    private bool _stopped;

    public MeetingSocket Connection { get; } = connection;

    public Participant Participant { get; private set; } = participant;

    public PresetPermissions Permissions { get; private set; } = permissions;

    internal System.Text.Json.JsonSerializerOptions RequestOptions => services.RequestOptions;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!_left && !_stopped && await Connection.ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } message)
            {
                if (Charge())
                {
                    await HandleAsync(message).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _entry.GiveUp();

            if (_peer is not null && _room is not null && !_left)
            {
                await _room.DisconnectedAsync(_peer, this).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Charges a received message to the socket's token bucket, before anything is parsed. A refused one is answered
    /// with a 429; a socket refused <see cref="MeetingSocketOptions.MessagesPerSecond"/> times in a row is closed with 1008.
    /// </summary>
    private bool Charge()
    {
        if (_messages.TryTake())
        {
            _refusedInRow = 0;
            return true;
        }

        if (++_refusedInRow >= _options.MessagesPerSecond)
        {
            Connection.Close(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, "message rate limit exceeded again and again");
            _stopped = true;
        }
        else
        {
            SendError(null, (int)DomainError.TooMany, $"more than {_options.MessagesPerSecond} messages a second; slow down");
        }

        return false;
    }

    /// <summary>
    /// One request: its envelope read while its syntax is checked, its fields read into its record, its answer sent.
    /// Refusals are answered with the code their kind names; the route table says who handles what.
    /// </summary>
    private async Task HandleAsync(ReadOnlyMemory<byte> message)
    {
        string? id = null;
        try
        {
            string? type;
            try
            {
                (type, id) = JsonSyntax.CheckEnvelope(message.Span);
            }
            catch (ApiException)
            {
                type = null;
            }

            if (type is null)
            {
                throw new DomainException(DomainError.BadRequest, "a message is a JSON object with a string \"type\"");
            }

            if (!RealtimeRoutes.All.TryGetValue(type, out var route))
            {
                throw new DomainException(DomainError.BadRequest, $"unknown message type {type}");
            }

            if (!route.BeforeJoin && (_peer is null || _room is null))
            {
                throw new DomainException(DomainError.Conflict, "send join first");
            }

            if (Connection.ClosingSoon && type != "ping")
            {
                throw new DomainException(DomainError.Conflict, "moved to another meeting: this socket serves none now");
            }

            if (await route.Handle(this, id, message).ConfigureAwait(false) is { } answer)
            {
                Send(answer);
            }

            if (_left)
            {
                Connection.Close(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "left");
            }
        }
        catch (RealtimeException ex)
        {
            SendError(id, ex.Code, ex.Message);
            if (ex.CloseWith is { } status)
            {
                Connection.Close(status, ex.Message);
                _stopped = true;
            }
        }
        catch (CredentialRevokedException ex)
        {
            SendError(id, ex.Code, ex.Message);
            Connection.Close(MeetingSocketCloseCodes.Kicked, ex.Message);
            _stopped = true;
        }
        catch (DomainException ex)
        {
            SendError(id, ex.Code, ex.Message);
        }
        catch (ApiException ex)
        {
            SendError(id, ex.Status, ex.Message);
        }
        catch (Exception ex) when (StorageFull.Is(ex))
        {
            SendError(id, (int)DomainError.InsufficientStorage, StorageFull.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RequestFailed(services.Logger, ex, Participant.Id);
            SendError(id, 500, "internal error; the server log has the details");
        }
    }

    /// <summary>
    /// <c>join</c>: enters the meeting, or, when the participant's preset has a waiting room and nobody let it in yet,
    /// waits: the client gets <c>waitlisted</c> now and the answer to its <c>join</c> when a host decides (null here).
    /// </summary>
    internal async Task<RealtimeMessage?> JoinAsync(string? id, JoinRequest request)
    {
        if (_peer is not null || _entry.Waiting is not null)
        {
            throw new DomainException(DomainError.Conflict, _peer is not null ? "already joined" : "already waiting to be let in");
        }

        await RecheckCredentialAsync().ConfigureAwait(false);
        Admission admission;
        try
        {
            admission = await _entry.AdmitAsync(this, credential.AccountId, request.Name, request.PeerId).ConfigureAwait(false);
        }
        catch (MeetingInactiveException ex)
        {
            throw new RealtimeException(ex.Code, ex.Message, MeetingSocketCloseCodes.MeetingEnded);
        }

        if (admission is Admission.Waiting waiting)
        {
            Connection.Start();
            Send(new WaitlistedMessage(waiting.Waiter.Id));
            _ = AdmitWhenDecidedAsync(waiting, id, request);
            return null;
        }

        return new OkMessage(id, await EnteredAsync((Admission.Entered)admission).ConfigureAwait(false));
    }

    private async Task AdmitWhenDecidedAsync(Admission.Waiting waiting, string? id, JoinRequest request)
    {
        var decision = await _entry.DecidedAsync(waiting).ConfigureAwait(false);
        switch (decision)
        {
            case WaitDecision.Rejected:
                SendError(id, (int)DomainError.Forbidden, "the host did not let you in");
                Connection.Close(MeetingSocketCloseCodes.Kicked, "not let in");
                return;
            case WaitDecision.Replaced:
                SendError(id, (int)DomainError.Conflict, "this participant waits on a newer connection now");
                Connection.Close(MeetingSocketCloseCodes.Replaced, "replaced by a newer connection of this participant");
                return;
            case WaitDecision.Left:
                return;
        }

        try
        {
            await RecheckCredentialAsync().ConfigureAwait(false);
            var entered = (Admission.Entered)await _entry.AdmitAsync(this, credential.AccountId, request.Name, request.PeerId).ConfigureAwait(false);
            Send(new OkMessage(id, await EnteredAsync(entered).ConfigureAwait(false)));
        }
        catch (CredentialRevokedException ex)
        {
            SendError(id, ex.Code, ex.Message);
            Connection.Close(MeetingSocketCloseCodes.Kicked, ex.Message);
        }
        catch (DomainException ex)
        {
            SendError(id, ex.Code, ex.Message);
        }
        catch (RealtimeException ex)
        {
            SendError(id, ex.Code, ex.Message);
            Connection.Close(ex.CloseWith ?? System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, ex.Message);
        }
    }

    /// <summary>The socket serves the peer it entered as; the answer to its <c>join</c> is what the peer sees of the room.</summary>
    private async Task<RealtimeAnswer> EnteredAsync(Admission.Entered entered)
    {
        var (room, peer) = (entered.Room, entered.Peer);
        _room = room;
        Volatile.Write(ref _peer, peer);
        Connection.Join();
        string sessionId = room.SessionId ?? "";
        var state = await room.StateForAsync(peer).ConfigureAwait(false);
        var (chat, moreChat) = Page(state.Chat, m => m.Id, m => ChatView.From(m, services.ChatFiles), RealtimeJson.SizeOf, before: null);
        var (polls, morePolls) = Page(state.Polls, p => p.Id, p => PollView.For(p, Participant.Id), RealtimeJson.SizeOf, before: null);
        return new JoinAnswer(
            peer.Id,
            entered.Resumed,
            PeerView.Of(peer),
            ChannelPermissions.Of(peer.Permissions), // a peer coming back keeps what hosts changed for it
            [.. state.Peers.Select(PeerView.Of)],
            new MeetingInfo(room.MeetingId, room.Meeting.Title, sessionId, room.SessionStartedAt),
            chat,
            polls,
            state.Livestream is { } livestream ? LivestreamChannelView.From(livestream, Permissions.CanLivestream) : null,
            state.Waitlisted,
            room.ActiveSpeaker,
            moreChat,
            morePolls,
            services.Recordings.ActiveFor(room.MeetingId) is { } recording ? RecordingChannelView.Of(recording) : null,
            StageRequestView.Of(state.StageRequests),
            [.. room.Plugins.Active.Select(PluginView.Of)]);
    }

    /// <summary>
    /// <c>chat_history</c>: the page of the chat shown to peers (<see cref="RoomChat.RecentAsync"/>) before a
    /// message, charged to the participant's history budget (<see cref="MeetingRooms.ChargeHistory"/>).
    /// </summary>
    internal async Task<RealtimeAnswer> ChatHistoryAsync(PageRequest request)
    {
        var chat = await _room!.Chat.ForAsync(_peer!).ConfigureAwait(false);
        var (messages, more) = Page(chat, m => m.Id, m => ChatView.From(m, services.ChatFiles), RealtimeJson.SizeOf, request.Before);
        services.Rooms.ChargeHistory(Participant, messages.Sum(RealtimeJson.SizeOf));
        return new ChatPageAnswer(messages, more);
    }

    /// <summary><c>polls_list</c>: the page of the session's polls before a poll.</summary>
    internal async Task<RealtimeAnswer> PollsListAsync(PageRequest request)
    {
        var all = _peer!.Permissions.PollsCanView ? await _room!.Polls.ListAsync().ConfigureAwait(false) : [];
        var (polls, more) = Page(all, p => p.Id, p => PollView.For(p, Participant.Id), RealtimeJson.SizeOf, request.Before);
        return new PollsPageAnswer(polls, more);
    }

    /// <summary>
    /// The newest of <paramref name="items"/> (oldest first) before the one with id <paramref name="before"/> (or the
    /// newest of all) that fit in <see cref="PageBytes"/> (one at least), oldest first, and whether older ones remain: a
    /// join answer or a page stays small however much a session holds; the rest is asked for page by page.
    /// </summary>
    private static (List<TView> Page, bool More) Page<TItem, TView>(
        IReadOnlyList<TItem> items, Func<TItem, string> idOf, Func<TItem, TView> view, Func<TView, int> sizeOf, string? before)
    {
        int end = items.Count;
        if (before is not null)
        {
            end = 0;
            while (end < items.Count && idOf(items[end]) != before)
            {
                end++;
            }

            if (end == items.Count)
            {
                throw new DomainException(DomainError.NotFound, $"no message or poll {before} among those shown");
            }
        }

        var page = new List<TView>();
        int bytes = 0;
        int next = end - 1;
        for (; next >= 0; next--)
        {
            var shown = view(items[next]);
            int size = sizeOf(shown);
            if (page.Count > 0 && bytes + size > PageBytes)
            {
                break;
            }

            bytes += size;
            page.Add(shown);
        }

        page.Reverse();
        return (page, next >= 0);
    }

    /// <summary><c>waitlist_accept</c> / <c>waitlist_reject</c>: a host lets a waiting participant in, or not.</summary>
    internal async Task<RealtimeAnswer> DecideAsync(WaitlistDecisionRequest request, bool accept)
    {
        await RecheckCredentialAsync().ConfigureAwait(false);
        _room!.DecideWaiter(_peer!, request.WaitlistId!, accept);
        return EmptyAnswer.Instance;
    }

    internal async Task<RealtimeAnswer> StartLivestreamAsync(StartMeetingLivestreamRequest request)
    {
        await RecheckCredentialAsync().ConfigureAwait(false);
        return await services.Livestreams.StartAsync(this, _room!, request).ConfigureAwait(false);
    }

    internal async Task<RealtimeAnswer> StopLivestreamAsync()
    {
        await RecheckCredentialAsync().ConfigureAwait(false);
        return await services.Livestreams.StopAsync(this, _room!).ConfigureAwait(false);
    }

    /// <summary>
    /// Before joining and before a privileged request: the token must still be the participant's current one (else the
    /// socket closes), and the permissions are the preset's as of now, the peer's too.
    /// </summary>
    private async Task RecheckCredentialAsync()
    {
        (Participant, Permissions) = await services.Sockets.RecheckAsync(credential).ConfigureAwait(false);
        if (_peer is { } peer)
        {
            peer.Permissions = Permissions;
            peer.Participant = Participant;
        }
    }

    internal async Task<RealtimeAnswer> LeaveAsync()
    {
        await _room!.LeaveAsync(_peer!).ConfigureAwait(false);
        _left = true;
        return EmptyAnswer.Instance;
    }

    /// <summary>
    /// <c>peer_update</c>: a new name; its media fields are read as <c>media_state</c> (a client's mute and unmute:
    /// what the peer publishes is set by the media that flows). Sharing the screen follows the stage as media does.
    /// </summary>
    internal async Task<RealtimeAnswer> UpdatePeerAsync(PeerUpdateRequest request)
    {
        if (request.ScreenshareEnabled == true)
        {
            if (!_peer!.Permissions.MayProduceScreenshare)
            {
                throw new DomainException(DomainError.Forbidden, "your preset does not allow sharing the screen");
            }

            RoomStage.RequireOnStage(_peer);
        }

        if (request.AudioEnabled is not null || request.VideoEnabled is not null)
        {
            await MediaStateAsync(new MediaStateRequest { AudioEnabled = request.AudioEnabled, VideoEnabled = request.VideoEnabled }).ConfigureAwait(false);
        }

        if (request.Name is { } name)
        {
            await _room!.RenamePeerAsync(_peer!, name).ConfigureAwait(false);
        }

        return new SelfAnswer(PeerView.Of(_peer!));
    }

    /// <summary><c>media_state</c>: the client muted or unmuted its microphone or camera; muted tracks are not forwarded.</summary>
    internal async Task<RealtimeAnswer> MediaStateAsync(MediaStateRequest request)
    {
        await _room!.SetMutedAsync(_peer!, request.AudioEnabled, request.VideoEnabled).ConfigureAwait(false);
        return new SelfAnswer(PeerView.Of(_peer!));
    }

    internal async Task<RealtimeAnswer> ChatAsync(ChatRequest request)
    {
        var to = request.To is { } peerIds ? _room!.Chat.ParticipantsOf(p => peerIds.Contains(p.Id)) : null;
        var message = request.File is { } link
            ? await _room!.Chat.SendFileAsync(_peer!, await services.ChatFiles.OfLinkAsync(link).ConfigureAwait(false), to).ConfigureAwait(false)
            : await _room!.Chat.SendAsync(_peer!, request.Text!, to).ConfigureAwait(false);
        return new ChatAnswer(ChatView.From(message, services.ChatFiles));
    }

    /// <summary>
    /// <c>chat_upload</c>: reserves a file for chat (<see cref="MeetingSessions.ChatFiles.ReserveAsync"/>, as RealtimeKit's
    /// <c>POST /v2/meetings/chat-upload</c>) when the participant may send one now, with links on the server's public
    /// URL: every peer the message reaches is shown them, so never on the Host header this socket came with.
    /// </summary>
    internal async Task<RealtimeAnswer> ChatUploadAsync(ChatUploadRequest request)
    {
        string sessionId = services.Rooms.RequireFileSender(Participant.MeetingId, Participant.Id);
        var upload = await services.ChatFiles.ReserveAsync(Participant, sessionId, request.Filename, services.PublicUrls.HttpBase, lifetime: null).ConfigureAwait(false);
        return new ChatUploadAnswer(upload.PutUrl, upload.GetUrl);
    }

    internal async Task<RealtimeAnswer> CreatePollAsync(PollRequest request)
    {
        await RecheckCredentialAsync().ConfigureAwait(false);
        return new PollAnswer(PollView.For(await _room!.Polls.CreateAsync(_peer!, request).ConfigureAwait(false), Participant.Id));
    }

    internal async Task<RealtimeAnswer> VoteAsync(VoteRequest request) =>
        new PollAnswer(PollView.For(await _room!.Polls.VoteAsync(_peer!, request.PollId!, request.Option!.Value).ConfigureAwait(false), Participant.Id));

    /// <summary>Writes what happened in the room as the channel's message to the client (<see cref="ChannelEvents"/>).</summary>
    public void Notify(RoomPeer peer, RoomEvent change)
    {
        switch (change)
        {
            case Kicked kicked:
                Send(new KickedMessage(kicked.Reason));
                Connection.Close(MeetingSocketCloseCodes.Kicked, kicked.Reason);
                break;
            case Replaced:
                Connection.Close(MeetingSocketCloseCodes.Replaced, "replaced by a newer connection of this peer");
                break;
            case TransferredTo transfer:
                Moved(transfer);
                break;
            default:
                if (ChannelEvents.MessageFor(peer, change, services.ChatFiles) is { } message)
                {
                    Send(message);
                }

                break;
        }
    }

    public void Send(RealtimeMessage message) => Connection.TrySend(RealtimeJson.Serialize(message));

    private void SendError(string? id, int code, string message) => Send(new ErrorMessage(id, code, message));

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "A realtime request of participant {ParticipantId} failed")]
        public static partial void RequestFailed(ILogger logger, Exception exception, string participantId);
    }

}
