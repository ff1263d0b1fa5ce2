using System.Net.WebSockets;
using Google.Protobuf;
using Stagecast.RealtimeKit;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.RealtimeKit.Protocol.Presets;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.MeetingSockets;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Limits;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// One RealtimeKit client's socket, a front end of its meeting room beside the JSON channel: reads its binary
/// <see cref="SocketMessage"/>s, answers each request with its event and id (or an error reply), passes them to the
/// room, and writes what happens in the room as RealtimeKit's pushes (<see cref="Notify"/>). The server pings (text
/// <c>"2"</c>, answered <c>"3"</c>): against any host but Cloudflare's the client never pings and drops a socket that
/// stays quiet for 30 s. Every message is charged to the socket's rate limit before it is parsed; a malformed one
/// closes this socket alone.
/// </summary>
public sealed partial class RealtimeKitClient(
    MeetingSocket connection,
    Participant participant,
    PresetPermissions permissions,
    ParticipantCredential credential,
    string clientPeerId,
    string address,
    RealtimeKitServices services) : IRoomClient
{
    private static readonly ReadOnlyMemory<byte> Ping = "2"u8.ToArray();

    /// <summary>How long the socket of a participant not let in stays open, unless it asks again or leaves.</summary>
    private static readonly TimeSpan RejectedSocketLinger = TimeSpan.FromMinutes(1);

    /// <summary>How much chat one history answer carries at most (the JSON channel's page is as large).</summary>
    private const int ChatPageBytes = 64 * 1024;
    private readonly TokenBucket _messages = new(services.Time, services.Options.MessagesPerSecond, services.Options.MessagesPerSecond * 2.0);
    private RealtimeKitViews _views = new(null, clientPeerId, participant.Id, services.ChatFiles);
    private RoomPeer? _peer;
    private MeetingRoom? _room;
    private readonly RoomEntry _entry = new(services.Rooms, participant.MeetingId, credential.MovedUntil);
    private bool _left;
    private RealtimeKitMedia? _media;
    private RoomPeer? _chatMember;

    /// <summary>The participant as of the socket's opening, read again with <see cref="Permissions"/>.</summary>
    public Participant Participant { get; private set; } = participant;

    /// <summary>What the participant may do: its preset as of the socket's opening, read again at join and before each privileged request.</summary>
    public PresetPermissions Permissions { get; private set; } = permissions;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var pings = services.Time.CreateTimer(_ => connection.TrySendText(Ping), null, services.PingInterval, services.PingInterval);
        StartChatMember();
        try
        {
            while (!_left && await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                if (connection.ReceivedType != WebSocketMessageType.Binary)
                {
                    continue; // "3", the answer to a ping
                }

                if (!_messages.TryTake())
                {
                    Refuse("message rate limit exceeded", WebSocketCloseStatus.PolicyViolation);
                    break;
                }

                SocketMessage message;
                try
                {
                    message = SocketFrameReader.Read(bytes.Span, bytes.Length);
                }
                catch (RealtimeKitProtocolException ex)
                {
                    Refuse(ex.Message, WebSocketCloseStatus.InvalidPayloadData);
                    break;
                }

                connection.Start(); // the client's init: the socket is in use, the join deadline is met
                await HandleAsync(message).ConfigureAwait(false);
            }
        }
        finally
        {
            StopChatMember();
            _entry.GiveUp();

            if (_peer is null)
            {
                _media?.Close("the client left", announce: false); // a peer's media goes with the peer (its router closes it)
            }

            if (_peer is not null && _room is not null && !_left)
            {
                await _room.DisconnectedAsync(_peer, this).ConfigureAwait(false);
            }
        }
    }

    private void Refuse(string reason, WebSocketCloseStatus status)
    {
        services.Refusals.Refused("a RealtimeKit socket message", address, reason);
        connection.Close(status, reason);
    }

    private async Task HandleAsync(SocketMessage message)
    {
        try
        {
            if (await AnswerAsync(message).ConfigureAwait(false) is { } payload)
            {
                connection.TrySend(SocketFrameWriter.Reply(message, payload));
                if (message.Event == Events.Room.MovePeers)
                {
                    await TellMoverWhoIsWhereAsync().ConfigureAwait(false);
                }
            }

            // A client that joined media after the speaker last changed learns who it is, as if it had just changed.
            if (message.Event == Events.Media.SelfJoinComplete && (_room, _peer) is ({ } room, { } peer) && room.ActiveSpeaker is { } speaker)
            {
                Notify(peer, new ActiveSpeakerChanged(speaker));
            }
        }
        catch (CredentialRevokedException ex)
        {
            SendError(message, ex.Message, ex.Code);
            connection.Close(MeetingSocketCloseCodes.Kicked, ex.Message);
        }
        catch (Exception ex) when (ex is DomainException or ApiException or RealtimeKitProtocolException)
        {
            SendError(message, ex.Message, ex is DomainException domain ? domain.Code : ex is ApiException api ? api.Status : 400);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RequestFailed(services.Logger, ex, message.Event, Participant.Id);
            SendError(message, "internal error; the server log has the details", 500);
        }
    }

    private void SendError(SocketMessage request, string error, int code) =>
        connection.TrySend((request.Event & 0xFF000000) == 0x03000000
            ? SocketFrameWriter.MediaError(request, error)
            : SocketFrameWriter.Error(request, error, code));

    /// <summary>One request: the answer's payload (null when the answer comes later or not at all).</summary>
    private async Task<IMessage?> AnswerAsync(SocketMessage message)
    {
        if (connection.ClosingSoon)
        {
            return AnswerMoved(message);
        }

        switch (message.Event)
        {
            case Events.Room.JoinRoom:
                return await JoinAsync(Read(message, JoinRoomRequest.Parser)).ConfigureAwait(false);
            case Events.Media.JoinRoom:
                return new PeerJoinResponse();
            case Events.Media.CreateWebRtcTransport:
                // A waiter's transports are answered (its SDK asks again and again, with ever larger offers, when refused)
                // but carry nothing: they join the router only once a host lets the peer in.
                if (_entry.Rejected)
                {
                    throw new DomainException(DomainError.Forbidden, "a host turned you away: no media transports");
                }

                return Media.CreateTransport(Read(message, CreateTransportRequest.Parser));
        }

        if (IsPluginEvent(message.Event))
        {
            return await PluginRequestAsync(message).ConfigureAwait(false);
        }

        var (room, peer) = (_room, _peer);
        if (room is null || peer is null)
        {
            if (IsChat(message.Event) && _chatMember is { } member)
            {
                return await ChatRequestAsync(services.Rooms.Find(Participant.MeetingId) is { SessionId: not null } open ? open : null, member, message).ConfigureAwait(false);
            }

            // A waiting client asks about the room before it is let in: what a waiter may know (the meeting, nobody in it).
            // The SDK reads the chat and the polls once its room.joinRoom is answered, waiting or not: none yet.
            return message.Event switch
            {
                Events.Room.GetRoomInfo when _entry.WaitingIn is { } meeting => new RoomInfoResponse { Room = new Room { RoomId = meeting.Id, Title = meeting.Title ?? "" } },
                Events.Room.GetRoomPeersInfo when _entry.WaitingIn is not null => new RoomPeersInfoResponse(),
                Events.Chat.GetMessages => new Stagecast.RealtimeKit.Protocol.Chat.GetChatMessagesResponse(),
                Events.Chat.GetPaginatedMessages => new Stagecast.RealtimeKit.Protocol.Chat.GetPaginatedChatMessageRoomResponse(),
                Events.Polls.GetPolls => new Stagecast.RealtimeKit.Protocol.Polls.GetPollsResponse(),
                _ => throw new DomainException(DomainError.Conflict, "join the room first (room.joinRoom)"),
            };
        }

        if (IsChat(message.Event))
        {
            return await ChatRequestAsync(room, peer, message).ConfigureAwait(false);
        }

        if (IsStage(message.Event))
        {
            return await StageAsync(room, peer, message).ConfigureAwait(false);
        }

        return message.Event switch
        {
            Events.Room.GetRoomInfo => RoomInfo(room),
            Events.Room.GetRoomPeersInfo => PeersInfo(room),
            Events.Room.GetConnectedRoomsDump => await ConnectedRoomsDumpAsync(room).ConfigureAwait(false),
            Events.Room.CreateConnectedRooms => await CreateConnectedRoomsAsync(room, await RecheckAsync(peer).ConfigureAwait(false),
                Read(message, CreateConnectedRoomsRequest.Parser)).ConfigureAwait(false),
            Events.Room.DeleteConnectedRooms => await CloseConnectedRoomsAsync(room, await RecheckAsync(peer).ConfigureAwait(false),
                Read(message, DisableConnectedRoomsRequest.Parser)).ConfigureAwait(false),
            Events.Room.MovePeers => await MovePeersAsync(room, await RecheckAsync(peer).ConfigureAwait(false), Read(message, MovePeersBetweenRoomsRequest.Parser)).ConfigureAwait(false),
            Events.Media.SelfJoinComplete => JoinComplete(room),
            Events.Polls.GetPolls => await PollsAsync(room, peer).ConfigureAwait(false),
            Events.Polls.CreatePoll => await CreatePollAsync(room, await RecheckAsync(peer).ConfigureAwait(false), Read(message, Stagecast.RealtimeKit.Protocol.Polls.NewPollRequest.Parser)).ConfigureAwait(false),
            Events.Polls.VotePoll => await VoteAsync(room, peer, Read(message, Stagecast.RealtimeKit.Protocol.Polls.VotePollRequest.Parser)).ConfigureAwait(false),
            Events.Room.GetWaitingRoomRequests => WaitingRequests(await RecheckAsync(peer).ConfigureAwait(false)),
            Events.Room.AcceptWaitingRoomRequests => Decide(room, await RecheckAsync(peer).ConfigureAwait(false), Read(message, AcceptWaitingRoomRequests.Parser).UserIds, accept: true),
            Events.Room.DenyWaitingRoomRequests => Decide(room, await RecheckAsync(peer).ConfigureAwait(false), Read(message, DenyWaitingRoomRequests.Parser).UserIds, accept: false),
            Events.Room.Kick => await KickAsync(room, await RecheckAsync(peer).ConfigureAwait(false), Read(message, RemoveParticipantsRequest.Parser).PeerIds).ConfigureAwait(false),
            Events.Room.KickAll => await KickAsync(room, await RecheckAsync(peer).ConfigureAwait(false), null).ConfigureAwait(false),
            Events.Room.LeaveRoom => await LeaveAsync(room, peer).ConfigureAwait(false),
            Events.Room.BroadcastMessage => Broadcast(room, peer, Read(message, BroadcastMessage.Parser)),
            Events.Room.BroadcastToEntity => await BroadcastToEntityAsync(room, peer, Read(message, BroadcastMessage.Parser)).ConfigureAwait(false),
            Events.Media.LeaveRoom => peer.Stage == StageStatus.OnStage ? await LeaveAsync(room, peer).ConfigureAwait(false) : LeaveMedia(),
            Events.Media.Produce => await Media.ProduceAsync(room, await RecheckAsync(peer).ConfigureAwait(false), Read(message, ProducerCreateRequest.Parser)).ConfigureAwait(false),
            Events.Media.ToggleProducer => await Media.ToggleAsync(room, peer, Read(message, ProducerToggleRequest.Parser)).ConfigureAwait(false),
            Events.Media.CloseProducer => Media.CloseProducer(room, peer, Read(message, ProducerCloseRequest.Parser)),
            Events.Media.Consume => Media.Consume(room, peer, Read(message, ConsumePeersRequest.Parser)),
            Events.Media.RenegotiateSessionDescription => Media.Renegotiate(Read(message, RenegotiateRequest.Parser)),
            Events.Media.CloseConsumer => Media.CloseConsumer(Read(message, ConsumerCloseRequest.Parser)),
            Events.Media.UpdateConsumersSimulcastConfig => Media.UpdateLayers(room, Read(message, UpdateConsumersSimulcastConfigRequest.Parser)),
            Events.Media.HostControlPeer => await HostMuteAsync(room, await RecheckAsync(peer).ConfigureAwait(false), Read(message, HostMediaControlForPeerRequest.Parser)).ConfigureAwait(false),
            Events.Media.HostControlAllPeers => await HostMuteAllAsync(room, await RecheckAsync(peer).ConfigureAwait(false), Read(message, HostMediaControlForAllPeerRequest.Parser)).ConfigureAwait(false),
            Events.Presets.UpdateUserPreset => await UpdatePermissionsAsync(room, await RecheckAsync(peer).ConfigureAwait(false), Read(message, UpdatePeersPresetRequest.Parser)).ConfigureAwait(false),
            Events.Media.AudioActivity => null, // no answer awaited
            _ => throw new DomainException(DomainError.BadRequest, $"event 0x{message.Event:x} is not supported by this server"),
        };
    }

    /// <summary>What the client's media may do: its peer's permissions once it joined (with what hosts changed for it), else its preset's.</summary>
    private PresetPermissions MediaPermissions() => _peer?.Permissions ?? Permissions;

    /// <summary>The client's media: made at its first transport, the peer's once it joined (kept for the peer while it is away).</summary>
    private RealtimeKitMedia Media
    {
        get
        {
            if (_media is null)
            {
                _media = new RealtimeKitMedia(services.Media, MediaPermissions, address);
                if ((_room, _peer) is ({ } room, { } peer))
                {
                    _media.Join(services.Media.Media.For(room), peer); // its transports the router's
                }
            }

            return _media;
        }
    }

    /// <summary>
    /// The peer entered: a client coming back (the same peer) without transports of its own goes on with the media it
    /// left behind, which the SDK keeps using when its connections stayed up; one that made new transports replaces it.
    /// </summary>
    private void TakeMedia(MeetingRoom room, RoomPeer peer, bool resumed)
    {
        var router = services.Media.Media.For(room);
        if (resumed && _media is not { HasTransports: true } && RealtimeKitMedia.Resume(services.Media, MediaPermissions, address, router, peer) is { } kept)
        {
            _media?.Close("the client goes on with its earlier transports", announce: false);
            _media = kept;
        }
        else
        {
            _media?.Join(router, peer); // its transports the router's (those the peer had before end)
        }
    }

    /// <summary>
    /// Before a privileged request (and the join): the token must still be the participant's current one, else the
    /// socket closes; the permissions become the preset's as of now, the peer's too, so a demotion takes effect at once.
    /// </summary>
    private async Task<RoomPeer> RecheckAsync(RoomPeer peer)
    {
        await RecheckAsync().ConfigureAwait(false);
        peer.Permissions = Permissions;
        peer.Participant = Participant;
        return peer;
    }

    private async Task RecheckAsync() => (Participant, Permissions) = await services.Sockets.RecheckAsync(credential).ConfigureAwait(false);

    private static T Read<T>(SocketMessage message, MessageParser<T> parser)
        where T : IMessage<T> => SocketFrameReader.ReadPayload(message, parser);

    /// <summary>
    /// <c>room.joinRoom</c>: enters the meeting, or waits when the preset has a waiting room and nobody let the
    /// participant in yet (the answer's peer is <c>waitlisted</c>). A host's decision arrives as a push; a client let
    /// in joins again and enters.
    /// </summary>
    private async Task<IMessage?> JoinAsync(JoinRoomRequest request)
    {
        if (_peer is { } joined)
        {
            return new PeerInfoResponse { Peer = _views.Peer(joined) };
        }

        string? name = request.Peer is { DisplayName.Length: > 0 } peer ? peer.DisplayName : null;
        if (name is { Length: > 100 })
        {
            throw new DomainException(DomainError.BadRequest, "display_name must be at most 100 characters");
        }

        if (_entry.Waiting is not null)
        {
            return Waitlisted(name);
        }

        await RecheckAsync().ConfigureAwait(false);
        Admission admission;
        try
        {
            string? resume = services.Peers.Find(Participant.MeetingId, Participant.Id, clientPeerId);
            admission = await _entry.AdmitAsync(this, credential.AccountId, name, resume).ConfigureAwait(false);
        }
        catch (MeetingInactiveException ex)
        {
            connection.Close(MeetingSocketCloseCodes.MeetingEnded, ex.Message);
            throw;
        }

        StopChatMember(); // a peer now, or waiting: no chat before it is let in
        if (admission is Admission.Waiting waiting)
        {
            _ = PushDecisionAsync(waiting);
            return Waitlisted(name);
        }

        var entered = (Admission.Entered)admission;
        connection.Join();
        services.Peers.Add(entered.Room.MeetingId, entered.Peer, clientPeerId);
        TakeMedia(entered.Room, entered.Peer, entered.Resumed);
        _views = new RealtimeKitViews(entered.Peer, clientPeerId, Participant.Id, services.ChatFiles, entered.Room.Polls.CreatorName);
        _room = entered.Room;
        Volatile.Write(ref _peer, entered.Peer);
        return new PeerInfoResponse { Peer = _views.Peer(entered.Peer) };
    }

    private PeerInfoResponse Waitlisted(string? name) => new()
    {
        Peer = new Peer
        {
            PeerId = clientPeerId,
            UserId = Participant.Id,
            DisplayName = name ?? Participant.Name ?? "",
            StageType = RealtimeKitViews.StageOf(RoomStage.EntryStage(Permissions)),
            Waitlisted = true,
            Flags = new PeerFlags { PresetName = Participant.PresetName ?? "", RecorderType = "NONE" },
        },
    };

    private async Task PushDecisionAsync(Admission.Waiting waiting)
    {
        switch (await _entry.DecidedAsync(waiting).ConfigureAwait(false))
        {
            case WaitDecision.Accepted:
                connection.TrySend(SocketFrameWriter.Push(Events.Room.WaitingRoomRequestAccepted, new PeerInfoResponse()));
                break;
            case WaitDecision.Rejected:
                // The socket stays open a while: once it closes the SDK says "disconnected" in place of "rejected" (and
                // after any code but 1000 reconnects and, never having joined, starts over as "init"). The app was told.
                connection.TrySend(SocketFrameWriter.Push(Events.Room.WaitingRoomRequestDenied, new PeerInfoResponse()));
                await Task.Delay(RejectedSocketLinger, services.Time).ConfigureAwait(false);
                if (_entry.Waiting is null && Volatile.Read(ref _peer) is null)
                {
                    connection.Close(WebSocketCloseStatus.NormalClosure, "not let in");
                }

                break;
            case WaitDecision.Replaced:
                connection.Close(MeetingSocketCloseCodes.Replaced, "replaced by a newer connection of this participant");
                break;
        }
    }

    private RoomInfoResponse RoomInfo(MeetingRoom room)
    {
        var info = new Room
        {
            RoomId = room.MeetingId,
            Title = room.Meeting.Title ?? "",
            CreatedAt = (ulong)(room.SessionStartedAt ?? services.Time.GetUtcNow()).ToUnixTimeSeconds(), // seconds: the UI's timer counts from it
            RoomUuid = room.SessionId ?? "",
        };
        if (services.Recordings.ActiveFor(room.MeetingId) is { Status: Recordings.RecordingStatus.Recording or Recordings.RecordingStatus.Paused } recording)
        {
            info.ActiveRecordings.Add(new ActiveRecording
            {
                RecordingId = recording.Id,
                RecordingType = recording.Tracks is null ? RecordingType.Composite : RecordingType.Track,
                RecordingStatus = recording.Status == Recordings.RecordingStatus.Paused ? "PAUSED" : "RECORDING",
            });
        }

        return new RoomInfoResponse { Room = info };
    }

    private RoomPeersInfoResponse PeersInfo(MeetingRoom room)
    {
        var answer = new RoomPeersInfoResponse();
        answer.Peers.AddRange(room.Peers.Where(p => !p.Hidden).Select(p => _views.Peer(p)));
        return answer;
    }

    private PeerJoinCompleteResponse JoinComplete(MeetingRoom room)
    {
        var answer = new PeerJoinCompleteResponse
        {
            RoomState = new GetRoomStateResponse
            {
                DisplayTitle = room.Meeting.Title ?? "",
                RoomUuid = room.SessionId ?? "",
                RoomName = room.MeetingId,
                CurrentPeerId = clientPeerId,
            },
            SelectedPeers = new SelectedPeersResponse(),
            MaxPreferredStreams = Permissions.MaxVideoStreams,
        };
        foreach (var other in room.Peers.Where(p => !p.Hidden && !ReferenceEquals(p, _peer)))
        {
            var participant = _views.Participant(other);
            participant.ProducerStates.AddRange((services.Media.Media.Find(room)?.ProducersOf(other) ?? []).Select(RealtimeKitProducerViews.State));
            answer.Participants.Add(participant);
        }
        return answer;
    }

    /// <summary>
    /// The chat a peer is shown (<see cref="RoomChat.RecentAsync"/>, from memory), as its preset allows; none
    /// without a session in progress (<paramref name="room"/> null: a chat member's, before anyone joined).
    /// </summary>
    private static async Task<IReadOnlyList<ChatMessage>> ChatOfAsync(MeetingRoom? room, RoomPeer peer) =>
        room is null ? [] : await room.Chat.ForAsync(peer).ConfigureAwait(false);

    /// <summary>
    /// <c>chat.getMessages</c>: the newest of the chat shown to the peer that fit in <see cref="ChatPageBytes"/> (one at
    /// least), oldest first; the SDK 2.0's chat panel pages back from there (<see cref="ChatPageAsync"/>). Charged to the
    /// participant's history budget.
    /// </summary>
    private async Task<IMessage> ChatHistoryAsync(MeetingRoom? room, RoomPeer peer)
    {
        var answer = new Stagecast.RealtimeKit.Protocol.Chat.GetChatMessagesResponse();
        var newest = NewestFitting((await ChatOfAsync(room, peer).ConfigureAwait(false)).Reverse().Select(_views.Chat), int.MaxValue, out _);
        newest.Reverse();
        answer.Messages.AddRange(newest);
        services.Rooms.ChargeHistory(Participant, answer.CalculateSize());
        return answer;
    }

    /// <summary>
    /// A page of the chat history before (or, <c>reversed</c> false, after) <c>time_stamp</c> (milliseconds), newest
    /// first, of at most <c>size</c> messages (100) and <see cref="ChatPageBytes"/>; with a filter, of the pinned messages
    /// (<c>fetchPinnedMessages</c>) or of the private ones with a user. Charged to the participant's history budget.
    /// </summary>
    private async Task<IMessage> ChatPageAsync(MeetingRoom? room, RoomPeer peer, Stagecast.RealtimeKit.Protocol.Chat.GetPaginatedChatMessageRoomRequest request)
    {
        var filters = request.Filters;
        var chat = (await ChatOfAsync(room, peer).ConfigureAwait(false)).Where(m => filters?.FiltersCase switch
        {
            Stagecast.RealtimeKit.Protocol.Chat.GetPaginatedChatMessageFilters.FiltersOneofCase.Pinned => m.Pinned == filters.Pinned,
            Stagecast.RealtimeKit.Protocol.Chat.GetPaginatedChatMessageFilters.FiltersOneofCase.UserId => m.TargetUserIds?.Contains(filters.UserId) == true,
            _ => true,
        }).ToList();
        int size = Math.Clamp(request.Size, 1, 100);
        long at = request.TimeStamp == 0 ? long.MaxValue : (long)Math.Min(request.TimeStamp, long.MaxValue);
        var matching = request.Reversed
            ? chat.Where(m => m.CreatedAt.ToUnixTimeMilliseconds() <= at).Reverse()
            : chat.Where(m => m.CreatedAt.ToUnixTimeMilliseconds() >= (request.TimeStamp == 0 ? 0 : at));
        var page = NewestFitting(matching.Skip(Math.Max(request.From, 0)).Select(_views.Chat), size, out bool more);
        var answer = new Stagecast.RealtimeKit.Protocol.Chat.GetPaginatedChatMessageRoomResponse { Next = more };
        answer.Messages.AddRange(page);
        services.Rooms.ChargeHistory(Participant, answer.CalculateSize());
        return answer;
    }

    /// <summary>The first of <paramref name="messages"/> that number at most <paramref name="most"/> and fit in <see cref="ChatPageBytes"/> (one at least); <paramref name="more"/>: others follow.</summary>
    private static List<Stagecast.RealtimeKit.Protocol.Chat.ChatMessage> NewestFitting(IEnumerable<Stagecast.RealtimeKit.Protocol.Chat.ChatMessage> messages, int most, out bool more)
    {
        var fitting = new List<Stagecast.RealtimeKit.Protocol.Chat.ChatMessage>();
        int bytes = 0;
        more = false;
        foreach (var message in messages)
        {
            int size = message.CalculateSize();
            if (fitting.Count > 0 && (fitting.Count == most || bytes + size > ChatPageBytes))
            {
                more = true;
                break;
            }

            fitting.Add(message);
            bytes += size;
        }

        return fitting;
    }

    /// <summary>
    /// Text (payload_type 0), an image (1: its download link) or a file (2: <c>{link, name, size}</c>) uploaded
    /// through <c>chat-upload</c>; the message reaches everyone who may receive chat, the sender included, as a push.
    /// The client sends without awaiting an answer and adds every message of this event it receives: an answer as well
    /// would show the sender its message twice. Null.
    /// </summary>
    private Task<IMessage?> ChatAsync(MeetingRoom room, RoomPeer peer, Stagecast.RealtimeKit.Protocol.Chat.SendChatMessageToRoomRequest request) =>
        PostAsync(room, peer, request.PayloadType, request.Payload, to: null);

    /// <summary>
    /// A private message to the peers named (by the ids this client knows them by; the SDK adds the sender's own):
    /// to their participants, pushed as <c>chat.sendMessageToPeers</c> to them and the sender only. Null, as a room message.
    /// </summary>
    private Task<IMessage?> ChatToPeersAsync(MeetingRoom room, RoomPeer peer, Stagecast.RealtimeKit.Protocol.Chat.SendChatMessageToPeersRequest request)
    {
        var named = request.PeerIds.ToHashSet(StringComparer.Ordinal);
        return PostAsync(room, peer, request.PayloadType, request.Payload, room.Chat.ParticipantsOf(p => named.Contains(_views.IdOf(p))));
    }

    private async Task<IMessage?> PostAsync(MeetingRoom room, RoomPeer peer, int payloadType, string payload, IReadOnlyCollection<string>? to)
    {
        switch (payloadType)
        {
            case 0:
                await room.Chat.SendAsync(peer, payload, to).ConfigureAwait(false);
                break;
            case 1 or 2:
                await room.Chat.SendFileAsync(peer, await services.ChatFiles.OfLinkAsync(LinkOf(payloadType, payload)).ConfigureAwait(false), to).ConfigureAwait(false);
                break;
            default:
                throw new DomainException(DomainError.BadRequest, "chat messages must be text, image or file (payload_type 0, 1 or 2)");
        }

        return null;
    }

    /// <summary>The download link an image message is, or a file message's <c>link</c>.</summary>
    private static string? LinkOf(int payloadType, string payload)
    {
        if (payloadType == 1)
        {
            return payload;
        }

        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(payload)?["link"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private async Task<IMessage> PollsAsync(MeetingRoom room, RoomPeer peer)
    {
        var answer = new Stagecast.RealtimeKit.Protocol.Polls.GetPollsResponse();
        answer.Polls.AddRange((peer.Permissions.PollsCanView ? await room.Polls.ListAsync().ConfigureAwait(false) : []).Select(_views.Poll));
        return answer;
    }

    private async Task<IMessage> CreatePollAsync(MeetingRoom room, RoomPeer peer, Stagecast.RealtimeKit.Protocol.Polls.NewPollRequest request)
    {
        var poll = new PollRequest { Question = request.Question, Options = [.. request.Options], Anonymous = request.Anonymous, HideVotes = request.HideVotes };
        RequestValidator.Validate(poll, services.RequestOptions);
        return new Stagecast.RealtimeKit.Protocol.Polls.UpdatePollResponse { Poll = _views.Poll(await room.Polls.CreateAsync(peer, poll).ConfigureAwait(false)) };
    }

    private async Task<IMessage> VoteAsync(MeetingRoom room, RoomPeer peer, Stagecast.RealtimeKit.Protocol.Polls.VotePollRequest request)
    {
        int option = request.Index <= int.MaxValue ? (int)request.Index : throw new DomainException(DomainError.BadRequest, "index is out of range");
        return new Stagecast.RealtimeKit.Protocol.Polls.UpdatePollResponse { Poll = _views.Poll(await room.Polls.VoteAsync(peer, request.PollId, option).ConfigureAwait(false)) };
    }

    private GetWaitingRoomRequests WaitingRequests(RoomPeer peer)
    {
        RequireHost(peer.Permissions.AcceptWaitingRequests, "accept_waiting_requests");
        return WaitingList();
    }

    private GetWaitingRoomRequests WaitingList()
    {
        var list = new GetWaitingRoomRequests();
        list.Requests.AddRange(services.Rooms.WaitlistOf(Participant.MeetingId).Views.Select(RealtimeKitViews.Waiter));
        return list;
    }

    private GetWaitingRoomRequests Decide(MeetingRoom room, RoomPeer peer, IEnumerable<string> waitlistIds, bool accept)
    {
        foreach (string id in waitlistIds)
        {
            room.DecideWaiter(peer, id, accept);
        }

        return WaitingList();
    }

    /// <summary>
    /// <c>room.kick</c> (those peers) and <c>room.kickAll</c> (everyone else), for a host with <c>kick_participant</c>.
    /// The client awaits no answer, and takes any message of these events for its own kick: null.
    /// </summary>
    private static async Task<IMessage?> KickAsync(MeetingRoom room, RoomPeer peer, IReadOnlyCollection<string>? peerIds)
    {
        RequireHost(peer.Permissions.KickParticipant, "kick_participant");
        await room.KickAsync(p => !ReferenceEquals(p, peer) && (peerIds is null || peerIds.Contains(p.Id)), "kicked by a host").ConfigureAwait(false);
        return null;
    }

    private async Task<IMessage> LeaveAsync(MeetingRoom room, RoomPeer peer)
    {
        await room.LeaveAsync(peer).ConfigureAwait(false);
        _left = true;
        connection.Close(WebSocketCloseStatus.NormalClosure, "left");
        return new PeerLeaveResponse { Closed = false };
    }

    /// <summary>
    /// <c>media.leaveRoom</c> from a peer off the stage: the SDK left the media room on leaving the stage (AUDIO_ROOM,
    /// LIVESTREAM) and stays in the meeting; its transports close, and it makes new ones if it comes back on.
    /// </summary>
    private PeerLeaveResponse LeaveMedia()
    {
        if (_media is { } media)
        {
            media.Close("the client left the media room", announce: true);
            _media = null;
        }

        return new PeerLeaveResponse { Closed = false };
    }

    private static void RequireHost(bool allowed, string permission)
    {
        if (!allowed)
        {
            throw new DomainException(DomainError.Forbidden, $"your preset does not allow this ({permission})");
        }
    }

    /// <summary>Writes what happened in the room as RealtimeKit's pushes.</summary>
    public void Notify(RoomPeer peer, RoomEvent change)
    {
        foreach (var (@event, payload) in RealtimeKitPushes.For(_views, peer, change, _room?.SessionId))
        {
            connection.TrySend(SocketFrameWriter.Push(@event, payload));
        }

        if (change is TransferredTo)
        {
            Moved();
        }
        else if (change is Kicked or Replaced)
        {
            connection.Close(change is Kicked ? MeetingSocketCloseCodes.Kicked : MeetingSocketCloseCodes.Replaced, change is Kicked kicked ? kicked.Reason : "replaced by a newer connection of this peer");
        }
        else if (change is WaiterAdded or WaiterRemoved && peer.Permissions.AcceptWaitingRequests)
        {
            connection.TrySend(SocketFrameWriter.Push(Events.Room.GetWaitingRoomRequests, WaitingList()));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "A RealtimeKit request (event {Event}) of participant {ParticipantId} failed")]
        public static partial void RequestFailed(ILogger logger, Exception exception, uint @event, string participantId);
    }
}
