using Stagecast.Server.Features.MeetingLivestreams;
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
    RealtimeConnection connection,
    Participant participant,
    PresetPermissions permissions,
    ParticipantCredential credential,
    RealtimeServices services) : IRoomClient
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

    internal System.Text.Json.JsonSerializerOptions RequestOptions => services.RequestOptions;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var expiry = Connection.CloseWhenExpired(credential);
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
        Admission admission;
        try
        {
            admission = await services.Rooms.AdmitAsync(this, credential.AccountId, request.Name, request.PeerId).ConfigureAwait(false);
        }
        catch (MeetingInactiveException ex)
        {
            throw new RealtimeException(ex.Code, ex.Message, RealtimeCloseCodes.MeetingEnded);
        }

        if (admission is Admission.Waiting waiting)
        {
            Volatile.Write(ref _waiting, waiting.Waiter);
            Send(new WaitlistedMessage(waiting.Waiter.Id));
            _ = AdmitWhenDecidedAsync(waiting, id, request);
            return null;
        }

        return new OkMessage(id, await EnteredAsync((Admission.Entered)admission).ConfigureAwait(false));
    }

    private async Task AdmitWhenDecidedAsync(Admission.Waiting waiting, string? id, JoinRequest request)
    {
        var decision = await waiting.Waiter.Decision.Task.ConfigureAwait(false);
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
            var entered = await services.Rooms.EnterAsync(waiting.Meeting, credential.AccountId, this, request.Name, request.PeerId).ConfigureAwait(false);
            Send(new OkMessage(id, await EnteredAsync(entered).ConfigureAwait(false)));
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
        string sessionId = room.SessionId ?? "";
        var state = await room.StateForAsync(peer).ConfigureAwait(false);
        return new JoinAnswer(
            peer.Id,
            entered.Resumed,
            PeerView.Of(peer),
            Permissions,
            [.. state.Peers.Select(PeerView.Of)],
            new MeetingInfo(room.MeetingId, room.Meeting.Title, sessionId, room.SessionStartedAt),
            [.. state.Chat.Select(ChatView.From)],
            [.. state.Polls.Select(p => PollView.For(p, Participant.Id))],
            state.Livestream is { } livestream ? LivestreamChannelView.From(livestream, Permissions.CanLivestream) : null,
            state.Waitlisted,
            room.ActiveSpeaker);
    }

    /// <summary><c>waitlist_accept</c> / <c>waitlist_reject</c>: a host lets a waiting participant in, or not.</summary>
    internal Task<RealtimeAnswer> DecideAsync(WaitlistDecisionRequest request, bool accept)
    {
        _room!.DecideWaiter(_peer!, request.WaitlistId!, accept);
        return Task.FromResult<RealtimeAnswer>(EmptyAnswer.Instance);
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

        return new SelfAnswer(PeerView.Of(_peer!));
    }

    /// <summary><c>media_state</c>: the client muted or unmuted its microphone or camera; muted tracks are not forwarded.</summary>
    internal async Task<RealtimeAnswer> MediaStateAsync(MediaStateRequest request)
    {
        await _room!.SetMutedAsync(_peer!, request.AudioEnabled, request.VideoEnabled).ConfigureAwait(false);
        return new SelfAnswer(PeerView.Of(_peer!));
    }

    internal async Task<RealtimeAnswer> ChatAsync(ChatRequest request) =>
        new ChatAnswer(ChatView.From(await _room!.ChatAsync(_peer!, request.Text!).ConfigureAwait(false)));

    internal async Task<RealtimeAnswer> CreatePollAsync(PollRequest request) =>
        new PollAnswer(PollView.For(await _room!.CreatePollAsync(_peer!, request).ConfigureAwait(false), Participant.Id));

    internal async Task<RealtimeAnswer> VoteAsync(VoteRequest request) =>
        new PollAnswer(PollView.For(await _room!.VoteAsync(_peer!, request.PollId!, request.Option!.Value).ConfigureAwait(false), Participant.Id));

    /// <summary>Writes what happened in the room as the channel's message to the client (<see cref="ChannelEvents"/>).</summary>
    public void Notify(RoomPeer peer, RoomEvent change)
    {
        switch (change)
        {
            case Kicked kicked:
                Send(new KickedMessage(kicked.Reason));
                Connection.Close(RealtimeCloseCodes.Kicked, kicked.Reason);
                break;
            case Replaced:
                Connection.Close(RealtimeCloseCodes.Replaced, "replaced by a newer connection of this peer");
                break;
            default:
                if (ChannelEvents.MessageFor(peer, change) is { } message)
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
