using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// One participant's socket on the channel: reads its requests, answers each (<c>{"type":"ok","id",…,"data"}</c> or
/// <c>{"type":"error","id",…,"code","message"}</c>) and passes them to its meeting room. The first request must be
/// <c>join</c>, within the join timeout. Every message is charged to the socket's rate limit before it is parsed;
/// one that keeps sending past it is closed (1008). The socket closes when its token expires, and privileged
/// requests re-check the token and the preset, so a revoked token or a demotion takes effect at once.
/// </summary>
public sealed partial class RealtimeClient(
    RealtimeConnection connection,
    Participant participant,
    PresetPermissions permissions,
    ParticipantCredential credential,
    RealtimeServices services)
{
    private readonly RealtimeOptions _options = services.Options;
    private readonly TimeProvider _time = services.Time;
    private readonly TokenBucket _messages = new(services.Time, services.Options.MessagesPerSecond, services.Options.MessagesPerSecond * 2.0);
    private int _refusedInRow;
    private RoomPeer? _peer;
    private MeetingRoom? _room;
    private Waitlist.Waiter? _waiting;
    private bool _left;
    private bool _stopped;

    public RealtimeConnection Connection { get; } = connection;

    public Participant Participant { get; } = participant;

    public PresetPermissions Permissions { get; private set; } = permissions;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var untilExpiry = credential.ExpiresAt - _time.GetUtcNow();
        using var expiry = _time.CreateTimer(
            _ => Connection.Close(RealtimeCloseCodes.Kicked, "the participant token expired"),
            null, untilExpiry > TimeSpan.Zero ? untilExpiry : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        using var joinDeadline = _time.CreateTimer(
            _ =>
            {
                if (Volatile.Read(ref _peer) is null && Volatile.Read(ref _waiting) is null)
                {
                    Connection.Close(RealtimeCloseCodes.JoinTimeout, "send join first");
                }
            },
            null, _options.JoinTimeout, Timeout.InfiniteTimeSpan);
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
            if (Volatile.Read(ref _waiting) is { } waiter)
            {
                services.Rooms.WaitlistOf(Participant.MeetingId).Remove(waiter); // gave up waiting
            }

            if (_peer is not null && _room is not null && !_left)
            {
                await _room.DisconnectedAsync(_peer, this).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Charges a received message to the socket's token bucket, before anything is parsed. A refused one is answered
    /// with a 429; a socket refused <see cref="RealtimeOptions.MessagesPerSecond"/> times in a row is closed with 1008.
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
        catch (DomainException ex)
        {
            SendError(id, ex.Code, ex.Message);
        }
        catch (ApiException ex)
        {
            SendError(id, ex.Status, ex.Message);
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
        if (_peer is not null || _waiting is not null)
        {
            throw new DomainException(DomainError.Conflict, _peer is not null ? "already joined" : "already waiting to be let in");
        }

        await RecheckCredentialAsync().ConfigureAwait(false);

        var meeting = await services.Meetings.FindAsync(Participant.MeetingId, CancellationToken.None).ConfigureAwait(false)
            ?? throw new DomainException(DomainError.NotFound, "the meeting no longer exists");
        if (meeting.Status == MeetingStatus.Inactive)
        {
            throw new RealtimeException((int)DomainError.Forbidden, "the meeting is inactive", RealtimeCloseCodes.MeetingEnded);
        }

        var waitlist = services.Rooms.WaitlistOf(meeting.Id);
        bool resuming = request.PeerId is { } peerId
            && services.Rooms.Find(meeting.Id)?.Peers.Any(p => p.Id == peerId && p.Participant.Id == Participant.Id) == true;
        if (!resuming && waitlist.MustWait(Participant, Permissions))
        {
            var waiter = waitlist.Add(Participant, request.Name);
            Volatile.Write(ref _waiting, waiter);
            Send(new WaitlistedMessage(waiter.Id));
            _ = AdmitWhenDecidedAsync(waiter, id, meeting, request);
            return null;
        }

        return new OkMessage(id, await EnterAsync(meeting, request).ConfigureAwait(false));
    }

    private async Task AdmitWhenDecidedAsync(Waitlist.Waiter waiter, string? id, Meeting meeting, JoinRequest request)
    {
        var decision = await waiter.Decision.Task.ConfigureAwait(false);
        Volatile.Write(ref _waiting, null);
        switch (decision)
        {
            case WaitDecision.Rejected:
                SendError(id, (int)DomainError.Forbidden, "the host did not let you in");
                Connection.Close(RealtimeCloseCodes.Kicked, "not let in");
                return;
            case WaitDecision.Replaced:
                SendError(id, (int)DomainError.Conflict, "this participant waits on a newer connection now");
                Connection.Close(RealtimeCloseCodes.Replaced, "replaced by a newer connection of this participant");
                return;
            case WaitDecision.Left:
                return;
        }

        try
        {
            Send(new OkMessage(id, await EnterAsync(meeting, request).ConfigureAwait(false)));
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

    private async Task<RealtimeAnswer> EnterAsync(Meeting meeting, JoinRequest request)
    {
        while (true)
        {
            var room = services.Rooms.GetOrCreate(meeting, credential.AccountId);
            if (await room.JoinAsync(this, request.Name, request.PeerId).ConfigureAwait(false) is not var (peer, resumed))
            {
                continue; // the room closed meanwhile (its session ended); the next one opens a new session
            }

            _room = room;
            Volatile.Write(ref _peer, peer);
            return await JoinedAsync(room, peer, resumed).ConfigureAwait(false);
        }
    }

    /// <summary><c>waitlist_accept</c> / <c>waitlist_reject</c>: a host lets a waiting participant in, or not.</summary>
    internal Task<RealtimeAnswer> DecideAsync(WaitlistDecisionRequest request, bool accept)
    {
        if (!_peer!.Permissions.AcceptWaitingRequests)
        {
            throw new DomainException(DomainError.Forbidden, "this participant's preset may not accept waiting requests (accept_waiting_requests)");
        }

        if (!services.Rooms.WaitlistOf(Participant.MeetingId).Resolve(request.WaitlistId!, accept))
        {
            throw new DomainException(DomainError.NotFound, $"nobody waits with waitlist_id {request.WaitlistId}");
        }

        return Task.FromResult<RealtimeAnswer>(EmptyAnswer.Instance);
    }

    private async Task<RealtimeAnswer> JoinedAsync(MeetingRoom room, RoomPeer peer, bool resumed)
    {
        string sessionId = room.SessionId ?? "";
        var chat = room.Meeting.PersistChat
            ? await services.Sessions.ListRecentMeetingChatAsync(room.MeetingId, _options.ChatHistory, CancellationToken.None).ConfigureAwait(false)
            : (await services.Sessions.ListChatAsync(sessionId, CancellationToken.None).ConfigureAwait(false)).TakeLast(_options.ChatHistory).ToList();
        var polls = await services.Sessions.ListPollsAsync(sessionId, CancellationToken.None).ConfigureAwait(false);
        return new JoinAnswer(
            peer.Id,
            resumed,
            peer.View(),
            Permissions,
            [.. room.Peers.Where(p => p != peer && !p.Hidden).Select(p => p.View())],
            new MeetingInfo(room.MeetingId, room.Meeting.Title, sessionId, room.SessionStartedAt),
            Permissions.ChatCanReceive ? [.. chat.Select(ChatView.From)] : [],
            Permissions.PollsCanView ? [.. polls.Select(p => PollView.For(p, Participant.Id))] : [],
            services.Livestreams.Describe(room, this),
            Permissions.AcceptWaitingRequests ? services.Rooms.WaitlistOf(room.MeetingId).Views : []);
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
    /// Before a privileged request: the token must still be the participant's current one (a reissued token closes
    /// the socket), and the permissions are the preset's as of now.
    /// </summary>
    private async Task RecheckCredentialAsync()
    {
        var current = await services.Participants.FindAsync(Participant.Id, CancellationToken.None).ConfigureAwait(false);
        if (current is null || current.TokenId != credential.TokenId)
        {
            throw new RealtimeException((int)DomainError.Unauthorized, "this participant token was revoked", RealtimeCloseCodes.Kicked);
        }

        var preset = await services.Presets.FindAsync(current.AppId, current.PresetId, CancellationToken.None).ConfigureAwait(false)
            ?? throw new RealtimeException((int)DomainError.Forbidden, $"the participant's preset {current.PresetName} no longer exists", RealtimeCloseCodes.Kicked);
        Permissions = preset.Effective;
    }

    internal async Task<RealtimeAnswer> LeaveAsync()
    {
        await _room!.LeaveAsync(_peer!).ConfigureAwait(false);
        _left = true;
        return EmptyAnswer.Instance;
    }

    /// <summary>
    /// <c>peer_update</c>: a new name; its media fields are read as <c>media_state</c> (a client's mute and unmute:
    /// what the peer publishes is set by the media that flows).
    /// </summary>
    internal async Task<RealtimeAnswer> UpdatePeerAsync(PeerUpdateRequest request)
    {
        if (request.ScreenshareEnabled == true && !_peer!.Permissions.CanProduceScreenshare)
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow sharing the screen");
        }

        if (request.AudioEnabled is not null || request.VideoEnabled is not null)
        {
            await MediaStateAsync(new MediaStateRequest { AudioEnabled = request.AudioEnabled, VideoEnabled = request.VideoEnabled }).ConfigureAwait(false);
        }

        if (request.Name is { } name)
        {
            await _room!.RenamePeerAsync(_peer!, name).ConfigureAwait(false);
        }

        return new SelfAnswer(_peer!.View());
    }

    /// <summary><c>media_state</c>: the client muted or unmuted its microphone or camera; muted tracks are not forwarded.</summary>
    internal async Task<RealtimeAnswer> MediaStateAsync(MediaStateRequest request)
    {
        var permissions = _peer!.Permissions;
        if ((request.AudioEnabled == true && !permissions.CanProduceAudio) || (request.VideoEnabled == true && !permissions.CanProduceVideo))
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow producing that media");
        }

        if (services.Media is { } media)
        {
            await media.SetMutedAsync(_room!, _peer, request.AudioEnabled, request.VideoEnabled).ConfigureAwait(false);
        }

        return new SelfAnswer(_peer.View());
    }

    internal async Task<RealtimeAnswer> ChatAsync(ChatRequest request) =>
        new ChatAnswer(ChatView.From(await _room!.ChatAsync(_peer!, request.Text!).ConfigureAwait(false)));

    internal async Task<RealtimeAnswer> CreatePollAsync(PollRequest request) =>
        new PollAnswer(PollView.For(await _room!.CreatePollAsync(_peer!, request).ConfigureAwait(false), Participant.Id));

    internal async Task<RealtimeAnswer> VoteAsync(VoteRequest request) =>
        new PollAnswer(PollView.For(await _room!.VoteAsync(_peer!, request.PollId!, request.Option!.Value).ConfigureAwait(false), Participant.Id));

    public void Send(RealtimeMessage message) => Connection.TrySend(RealtimeJson.Serialize(message));

    private void SendError(string? id, int code, string message) => Send(new ErrorMessage(id, code, message));

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "A realtime request of participant {ParticipantId} failed")]
        public static partial void RequestFailed(ILogger logger, Exception exception, string participantId);
    }

}
