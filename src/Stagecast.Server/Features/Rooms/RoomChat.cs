using System.Diagnostics.CodeAnalysis;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// A room's chat: text and file messages to everyone whose preset lets them receive chat or, privately, to chosen
/// participants; their edits, pins and deletes (RoomChat.Changes.cs). Messages are kept with the session and told to
/// those each is for, the peers and the meeting's chat members alike (clients chatting without having joined:
/// RealtimeKit's SDK between <c>init()</c> and <c>join()</c>, a chat-only widget). What a peer may send where is its
/// preset's chat scopes (<c>chat.public</c>, <c>chat.private</c>); what chat may cost, <see cref="ChatBudget"/>. The
/// newest <see cref="RoomOptions.ChatHistory"/> messages (of the session, or of the meeting when it persists chat) are
/// read from the store once, then kept as they change, so however often clients ask it costs no store read. Its own
/// async lock orders the store's writes; the room closes it when the session ends, after which no message is kept.
/// Its two files come to a little over 300 lines: they share that lock and that history, and the changes alone
/// would be a class reaching into this one's state.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose")]
public sealed partial class RoomChat
{
    /// <summary>Participants a private message may go to, besides its sender.</summary>
    public const int MaxTargets = 100;

    private const int MaxTextLength = 4000;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly IRoomPresence _room;
    private readonly IChatMessageStore _store;
    private readonly ChatBudget _budget;
    private readonly int _history;
    private readonly Func<bool> _persistsChat;
    private readonly Func<IReadOnlyList<RoomPeer>> _members;
    private readonly TimeProvider _time;
    private volatile ChatMessage[]? _recent;
    private volatile bool _hasMessages;
    private bool _closed;

    /// <param name="room">The room the chat is in.</param>
    /// <param name="store">Where its messages are kept.</param>
    /// <param name="limits">What chat may cost.</param>
    /// <param name="history">How many of the newest messages a peer is shown (<see cref="RoomOptions.ChatHistory"/>).</param>
    /// <param name="persistsChat">Whether the meeting keeps its chat across sessions (as it is now: a meeting may change).</param>
    /// <param name="members">The meeting's chat members now.</param>
    /// <param name="time">The clock.</param>
    internal RoomChat(
        IRoomPresence room, IChatMessageStore store, ChatOptions limits, int history, Func<bool> persistsChat, Func<IReadOnlyList<RoomPeer>> members, TimeProvider time)
    {
        _room = room;
        _store = store;
        _budget = new ChatBudget(limits, time);
        _history = history;
        _persistsChat = persistsChat;
        _members = members;
        _time = time;
    }

    /// <summary>Whether a message was sent in this room: the session's end then tells the app its chat is complete.</summary>
    public bool HasMessages => _hasMessages;

    /// <summary>
    /// The chat a peer is shown: the newest messages of this session (of the meeting, when it persists chat), oldest
    /// first, whatever the peer may see of them (<see cref="ForAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<ChatMessage>> RecentAsync()
    {
        if (_recent is { } recent)
        {
            return recent;
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            return _recent ??= _persistsChat()
                ? [.. await _store.ListRecentMeetingChatAsync(_room.MeetingId, _history, CancellationToken.None).ConfigureAwait(false)]
                : [.. (await _store.ListChatAsync(_room.SessionId ?? "", CancellationToken.None).ConfigureAwait(false)).TakeLast(_history)];
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The chat <paramref name="viewer"/> is shown: none without <c>chat.can_receive</c>; of private messages, only its own and those for it.</summary>
    public async Task<IReadOnlyList<ChatMessage>> ForAsync(RoomPeer viewer) =>
        viewer.Permissions.ChatCanReceive ? [.. (await RecentAsync().ConfigureAwait(false)).Where(m => m.IsFor(viewer.Participant.Id))] : [];

    /// <summary>
    /// The participants of the peers <paramref name="named"/> picks: whom a private message a front end names by its
    /// own peer ids goes to (<see cref="SendAsync"/>).
    /// </summary>
    public string[] ParticipantsOf(Func<RoomPeer, bool> named) => [.. _room.Peers.Where(named).Select(p => p.Participant.Id).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// A text message to everyone whose preset lets them receive chat, kept with the session; with
    /// <paramref name="to"/> (participant ids), a private message that only they and the sender get, now and in history.
    /// The sender's preset must allow text there (<c>chat.public</c>, <c>chat.private</c>), and a private message's
    /// recipients' presets must let them be sent one (<c>chat.private.can_receive</c>).
    /// </summary>
    public Task<ChatMessage> SendAsync(RoomPeer peer, string text, IReadOnlyCollection<string>? to = null)
    {
        RequireText(text);
        RequireAllowed(peer, toPeers: to is not null, file: false);
        return PostAsync(peer, "text", text, to);
    }

    /// <summary>
    /// A file the message names by its link (<see cref="ChatFiles.OfLinkAsync"/>; null when it names none), which must be
    /// one the peer's participant uploaded for this meeting: an <c>image</c> message when it is a picture, else a
    /// <c>file</c> message; its payload names the file (<see cref="ChatFileJson"/>), which every front end shows with a
    /// signed link (<see cref="ChatFiles.Shown"/>).
    /// </summary>
    public Task<ChatMessage> SendFileAsync(RoomPeer peer, ChatFile? file, IReadOnlyCollection<string>? to = null)
    {
        RequireAllowed(peer, toPeers: to is not null, file: true);
        return PostAsync(peer, RequireOwnFile(peer, file).IsImage ? "image" : "file", ChatFileJson.Write(file!), to);
    }

    /// <summary>The session ends: once a message being sent is kept, no other is.</summary>
    internal async Task CloseAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        _closed = true;
        _lock.Release();
    }

    private static void RequireText(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxTextLength)
        {
            throw new DomainException(DomainError.BadRequest, $"\"text\" must be 1 to {MaxTextLength} characters");
        }
    }

    /// <summary>The file a message names, which must be one the peer's participant uploaded for this meeting.</summary>
    private ChatFile RequireOwnFile(RoomPeer peer, ChatFile? file)
    {
        if (file is null || file.MeetingId != _room.MeetingId || file.ParticipantId != peer.Participant.Id)
        {
            throw new DomainException(DomainError.BadRequest, "a file message must carry the download link of a file you uploaded for this meeting (chat-upload)");
        }

        return file.Uploaded ? file : throw new DomainException(DomainError.Conflict, "the file has not been uploaded yet");
    }

    private async Task<ChatMessage> PostAsync(RoomPeer peer, string type, string payload, IReadOnlyCollection<string>? to)
    {
        // The sender is one of a private message's targets, so it sees its own (ChatMessage.IsFor); it needs another.
        string[]? targets = to is null ? null : [.. to.Append(peer.Participant.Id).Distinct(StringComparer.Ordinal)];
        if (targets is { Length: < 2 or > MaxTargets + 1 })
        {
            throw new DomainException(DomainError.BadRequest, $"a private message goes to 1 to {MaxTargets} participants of the meeting besides its sender");
        }

        if (targets is not null && _room.Peers.FirstOrDefault(p => p.Participant.Id != peer.Participant.Id && targets.Contains(p.Participant.Id) && !p.Permissions.ChatPrivate.CanReceive) is { } unreachable)
        {
            throw new DomainException(DomainError.Forbidden, $"{unreachable.Name ?? unreachable.Id} may not be sent private messages (their preset's chat.private.can_receive)");
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            _budget.Charge(peer, payload, newMessage: true);
            string sessionId = !_closed && _room.SessionId is { } id ? id : throw new DomainException(DomainError.Conflict, "the meeting has no session in progress");
            var message = new ChatMessage(
                Guid.NewGuid().ToString(), sessionId, _room.MeetingId, peer.Participant.Id, peer.Id, peer.Name, type, payload, false, false, _time.GetUtcNow(), targets);
            await _store.AddChatAsync(message, CancellationToken.None).ConfigureAwait(false);
            _hasMessages = true;
            if (_recent is { } recent)
            {
                _recent = _history == 0 ? [] : [.. recent.Skip(recent.Length + 1 - _history), message];
            }

            Publish(new ChatPosted(message), message);
            return message;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Refuses a message (or an edit making one) the peer's preset does not allow: to everyone or privately, a text or a file.</summary>
    private static void RequireAllowed(RoomPeer peer, bool toPeers, bool file)
    {
        if (peer.Permissions.ChatRefusal(toPeers, file) is { } refusal)
        {
            throw new DomainException(DomainError.Forbidden, refusal);
        }
    }

    /// <summary>
    /// Tells a message's event to those it is for (whose preset lets them receive chat, and of a private one its sender
    /// and recipients), peers and the meeting's chat members alike.
    /// </summary>
    private void Publish(RoomEvent change, ChatMessage message)
    {
        bool IsFor(RoomPeer p) => p.Permissions.ChatCanReceive && message.IsFor(p.Participant.Id);
        var peers = _room.Peers;
        _room.Publish(change, except: null, to: IsFor);

        // A client admitted a moment ago stays a chat member until its join returns: it is told once, as the peer.
        foreach (var member in _members().Where(m => IsFor(m) && !peers.Any(p => ReferenceEquals(p.Client, m.Client))))
        {
            member.Notify(change);
        }
    }
}
