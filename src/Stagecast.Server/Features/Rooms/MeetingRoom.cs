using System.Diagnostics.CodeAnalysis;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// The live state of one meeting: its peers and its session, whatever front end each peer came through. The session
/// starts with the first join and ends <c>session_keep_alive_time_in_secs</c> after the last peer leaves, on kick-all,
/// or when the meeting is made inactive; then the room closes and the next join opens a new room and session. Its peers
/// and session change under its async lock; each of its components (<see cref="Chat"/>, <see cref="Polls"/>,
/// <see cref="Plugins"/>, <see cref="Stage"/>, <see cref="AppMessages"/>) owns its state and keeps its own. What happens
/// is told to each peer's connection as a <see cref="RoomEvent"/> (<see cref="IRoomClient.Notify"/>), from a snapshot of
/// the peers, never waiting for a client.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose")]
public sealed partial class MeetingRoom : IMediaRoom
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<string, RoomPeer> _peers = new(StringComparer.Ordinal);
    private readonly MeetingRooms _rooms;
    private readonly RoomServices _services;
    private readonly IMeetingSessionStore _store;
    private readonly MeetingWebhookEvents _events;
    private readonly RoomOptions _options;
    private readonly TimeProvider _time;
    private volatile RoomPeer[] _snapshot = [];
    private volatile MeetingSession? _session;
    private Meeting _meeting;
    private ITimer? _keepAlive;
    private bool _closed;
    private long _maxConcurrent;
    private string? _activeSpeaker;

    internal MeetingRoom(Meeting meeting, string accountId, MeetingRooms rooms, RoomServices services)
    {
        _meeting = meeting;
        AccountId = accountId;
        _rooms = rooms;
        _services = services;
        _store = services.Store;
        _events = services.Events;
        _options = services.Options;
        _time = services.Time;
        Chat = new RoomChat(this, services.Store, services.Chat, _options.ChatHistory, () => Meeting.PersistChat, () => rooms.ChatMembersOf(MeetingId), _time);
        Plugins = new RoomPlugins(this, _options, _time);
        Stage = new RoomStage(this, NotifyPeerLeftStage, _time);
        Polls = new RoomPolls(this, services.Store, _options.MaxPollsPerSession, _time);
        AppMessages = new RoomAppMessages(this, _options.AppMessagesPerSecond, _time);
    }

    public string MeetingId => _meeting.Id;

    public string AccountId { get; }

    public Meeting Meeting => Volatile.Read(ref _meeting);

    /// <summary>The session in progress, or null before the first join and after the end.</summary>
    public string? SessionId => _session?.Id;

    /// <summary>When the session in progress started.</summary>
    public DateTimeOffset? SessionStartedAt => _session?.StartedAt;

    /// <summary>Peers present now (connected or within their grace period).</summary>
    public IReadOnlyList<RoomPeer> Peers => _snapshot;

    public long MaxConcurrentParticipants => Interlocked.Read(ref _maxConcurrent);

    /// <summary>The session's chat (and the meeting's, when it persists chat).</summary>
    public RoomChat Chat { get; }

    /// <summary>The session's polls.</summary>
    public RoomPolls Polls { get; }

    /// <summary>Who is on the stage, who asks for it, and what hosts do about it.</summary>
    public RoomStage Stage { get; }

    /// <summary>The plugins open in the session and their shared stores.</summary>
    public RoomPlugins Plugins { get; }

    /// <summary>App messages between the peers (and from the app).</summary>
    public RoomAppMessages AppMessages { get; }

    /// <summary>The meeting's record changed (a PATCH or PUT): the room and its observers go by the new one.</summary>
    public void UpdateMeeting(Meeting meeting)
    {
        Volatile.Write(ref _meeting, meeting);
        Tell(o => o.OnMeetingChanged(this));
    }

    /// <summary>
    /// Joins a client as a new peer, or as the peer it was (<paramref name="resumePeerId"/>) if that peer is still in
    /// its grace period or connected elsewhere, or as a peer of its participant left in its grace period by a client
    /// that went without leaving (a browser closed, then opened again: it knows no peer id). Null when the room has
    /// closed meanwhile (the caller takes a new room).
    /// </summary>
    public async Task<Admission.Entered?> JoinAsync(IRoomClient client, string? name, string? resumePeerId)
    {
        IMeetingSessionObserver[] started = [];
        string? sessionId;
        Admission.Entered result;
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                return null;
            }

            if (ResumableLocked(client.Participant.Id, resumePeerId) is { } existing)
            {
                Resume(existing, client, name);
                return new Admission.Entered(this, existing, Resumed: true);
            }

            if (_peers.Values.Count(p => p.Participant.Id == client.Participant.Id) >= _options.MaxPeersPerParticipant)
            {
                throw new DomainException(DomainError.TooMany, $"a participant may be in a meeting on at most {_options.MaxPeersPerParticipant} connections");
            }

            var now = _time.GetUtcNow();
            if (_session is null)
            {
                var session = new MeetingSession(Guid.NewGuid().ToString(), _meeting.Id, _meeting.AppId, AccountId, _meeting.Title, 0, now, null, null, now, now);
                await _store.StartSessionAsync(session, [_events.MeetingStarted(_meeting, session)], CancellationToken.None).ConfigureAwait(false);
                _session = session;
                started = [.. _services.SessionObservers];
            }

            _keepAlive?.Dispose();
            _keepAlive = null;
            var peer = new RoomPeer(Guid.NewGuid().ToString(), client.Participant, client.Permissions, name ?? client.Participant.Name, now, _rooms.ChangesOf(client.Participant))
            {
                Client = client,
                Stage = RoomStage.EntryStage(client.Permissions),
            };
            _peers.Add(peer.Id, peer);
            Interlocked.Exchange(ref _maxConcurrent, Math.Max(_maxConcurrent, _peers.Count));
            RebuildSnapshot();
            var sessionPeer = SessionPeerOf(peer, null);
            await _store.AddPeerAsync(sessionPeer, _maxConcurrent, [_events.ParticipantJoined(_meeting, _session, sessionPeer)], CancellationToken.None).ConfigureAwait(false);
            if (!peer.Hidden)
            {
                Publish(new PeerJoined(peer), except: peer, to: null);
            }

            sessionId = _session.Id;
            result = new Admission.Entered(this, peer, Resumed: false);
        }
        finally
        {
            _lock.Release();
        }

        foreach (var observer in started)
        {
            _ = observer.OnSessionStartedAsync(Meeting, sessionId);
        }

        return result;
    }

    /// <summary>A clean leave: the peer is gone at once.</summary>
    public async Task LeaveAsync(RoomPeer peer)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            await RemovePeerLocked(peer, "left", _time.GetUtcNow()).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The peer's connection is gone without a leave: it stays for the grace period, then leaves as of now.</summary>
    public async Task DisconnectedAsync(RoomPeer peer, IRoomClient client)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_peers.ContainsKey(peer.Id) || peer.Client != client)
            {
                return; // already removed, or replaced by a newer connection
            }

            peer.Client = null;
            peer.DisconnectedAt = _time.GetUtcNow();
            peer.GraceTimer = _time.CreateTimer(_ => _ = GraceExpiredAsync(peer), null, _options.ReconnectGrace, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The peer a client of the participant takes over: the one it names, else one left disconnected (the longest ago).</summary>
    private RoomPeer? ResumableLocked(string participantId, string? peerId) =>
        peerId is not null && _peers.TryGetValue(peerId, out var named) && named.Participant.Id == participantId ? named
            : _peers.Values.Where(p => p.Participant.Id == participantId && p.Client is null).MinBy(p => p.DisconnectedAt);

    /// <summary>Whether a client of the participant would come back as a peer already in the room (it then waits in no waiting room).</summary>
    public bool WouldResume(string participantId, string? peerId) =>
        Peers.Any(p => p.Participant.Id == participantId && (p.Id == peerId || p.Client is null));

    private void Resume(RoomPeer peer, IRoomClient client, string? name)
    {
        var previous = peer.Client;
        peer.GraceTimer?.Dispose();
        peer.GraceTimer = null;
        peer.DisconnectedAt = null;
        peer.Client = client;
        peer.Permissions = client.Permissions;
        peer.Participant = client.Participant;
        peer.Name = name ?? peer.Name;
        previous?.Notify(peer, new Replaced());
        NotifyPeerChanged(peer); // its name and preset are its new client's
    }

    private async Task GraceExpiredAsync(RoomPeer peer)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (peer.Client is null && peer.DisconnectedAt is { } lost)
            {
                await RemovePeerLocked(peer, "disconnected", lost).ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task RemovePeerLocked(RoomPeer peer, string reason, DateTimeOffset leftAt)
    {
        if (!_peers.Remove(peer.Id))
        {
            return;
        }

        peer.GraceTimer?.Dispose();
        RebuildSnapshot();
        NotifyPeerLeft(peer);

        // The keep-alive counts from the moment the room is seen empty, not from when the store has written the leave (its
        // callback waits for the lock, so it cannot run before this ends).
        if (_peers.Count == 0 && _session is not null && !_closed)
        {
            _keepAlive = _time.CreateTimer(_ => _ = KeepAliveExpiredAsync(), null, TimeSpan.FromSeconds(Meeting.SessionKeepAliveTimeInSecs), Timeout.InfiniteTimeSpan);
        }

        await _store.EndPeerAsync(peer.Id, leftAt, [_events.ParticipantLeft(_meeting, _session!, SessionPeerOf(peer, leftAt))], CancellationToken.None).ConfigureAwait(false);
        if (!peer.Hidden)
        {
            Publish(new PeerLeft(peer, reason));
        }

        await Stage.PeerLeftAsync(peer).ConfigureAwait(false);
    }

    private async Task KeepAliveExpiredAsync()
    {
        await EndAsync("all participants left", kickReason: null, onlyIfEmpty: true).ConfigureAwait(false);
    }

    /// <summary>Ends the session: peers still present are kicked with <paramref name="kickReason"/>; the room closes.</summary>
    public async Task EndAsync(string reason, string? kickReason, bool onlyIfEmpty = false)
    {
        string? sessionId;
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_closed || (onlyIfEmpty && _peers.Count > 0))
            {
                return;
            }

            var now = _time.GetUtcNow();
            var present = _peers.Values.ToList();
            foreach (var peer in present)
            {
                KickLocked(peer, kickReason ?? reason);
            }

            _peers.Clear();
            RebuildSnapshot();
            foreach (var peer in present)
            {
                NotifyPeerLeft(peer);
            }

            _keepAlive?.Dispose();
            _closed = true;
            await Chat.CloseAsync().ConfigureAwait(false); // what is being sent, created or voted in is kept with the session, nothing after
            await Polls.CloseAsync().ConfigureAwait(false);
            sessionId = _session?.Id;
            if (_session is { } session)
            {
                var ended = session with { EndedAt = now, EndReason = reason };
                List<OutboxEvent> events = [.. present.Select(p => _events.ParticipantLeft(_meeting, ended, SessionPeerOf(p, now))), _events.MeetingEnded(_meeting, ended, reason)];
                if (Chat.HasMessages)
                {
                    events.Add(_events.ChatSynced(_meeting, ended));
                }

                await _store.EndSessionAsync(session.Id, now, reason, _maxConcurrent, events, CancellationToken.None).ConfigureAwait(false);
                _session = null;
            }
        }
        finally
        {
            _lock.Release();
        }

        _rooms.Remove(this);
        if (sessionId is not null)
        {
            foreach (var observer in _services.SessionObservers)
            {
                await observer.OnSessionEndedAsync(Meeting, sessionId).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Tells every connected peer (a snapshot of the peers: never blocks, never waits for a client).</summary>
    public void Publish(RoomEvent change) => Publish(change, except: null, to: null);

    /// <summary>Tells the connected peers that <paramref name="to"/> picks (all when null), but <paramref name="except"/>.</summary>
    internal void Publish(RoomEvent change, RoomPeer? except, Func<RoomPeer, bool>? to)
    {
        foreach (var peer in _snapshot)
        {
            if (peer != except && (to is null || to(peer)))
            {
                peer.Notify(change);
            }
        }
    }

    void IRoomPresence.Publish(RoomEvent change, RoomPeer? except, Func<RoomPeer, bool>? to) => Publish(change, except, to);

    private static void KickLocked(RoomPeer peer, string reason)
    {
        if (peer.Client is not null)
        {
            peer.Notify(new Kicked(reason));
            peer.Client = null;
        }
    }

    private void RebuildSnapshot() => _snapshot = [.. _peers.Values];

    private void NotifyPeerLeft(RoomPeer peer) => Tell(o => o.OnPeerLeft(this, peer));

    private void NotifyPeerLeftStage(RoomPeer peer) => Tell(o => o.OnPeerLeftStage(this, peer));

    private void NotifyPeerChanged(RoomPeer peer) => Tell(o => o.OnPeerChanged(this, peer));

    /// <summary>A line said in the meeting was captioned: its observers are told (the program carries it to recordings).</summary>
    public void Captioned(TimedTextCue cue) => Tell(o => o.OnCaptioned(this, cue));

    private void Tell(Action<IRoomObserver> what)
    {
        foreach (var observer in _services.Observers)
        {
            what(observer);
        }
    }

    private MeetingSessionPeer SessionPeerOf(RoomPeer peer, DateTimeOffset? leftAt) =>
        new(peer.Id, _session!.Id, peer.Participant.Id, peer.Participant.CustomParticipantId, peer.Name, peer.Participant.PresetName, peer.JoinedAt, leftAt,
            peer.JoinedAt, leftAt ?? peer.JoinedAt);
}
