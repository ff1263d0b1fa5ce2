using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Rooms;

public sealed partial class MeetingRoom
{
    private const int MaxChatLength = 4000;
    /// <summary>Participants a private message may go to, besides its sender.</summary>
    public const int MaxChatTargets = 100;
    private volatile ChatMessage[]? _recentChat;

    /// <summary>
    /// The chat a peer is shown: the newest <see cref="RoomOptions.ChatHistory"/> messages of this session (of the
    /// meeting, when it persists chat), oldest first. Read from the store once, then kept as messages are sent, so
    /// however often clients ask it costs no store read.
    /// </summary>
    public async Task<IReadOnlyList<ChatMessage>> RecentChatAsync()
    {
        if (_recentChat is { } recent)
        {
            return recent;
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            return _recentChat ??= Meeting.PersistChat
                ? [.. await _store.ListRecentMeetingChatAsync(MeetingId, _options.ChatHistory, CancellationToken.None).ConfigureAwait(false)]
                : [.. (await _store.ListChatAsync(SessionId ?? "", CancellationToken.None).ConfigureAwait(false)).TakeLast(_options.ChatHistory)];
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The chat <paramref name="viewer"/> is shown: none without <c>chat.can_receive</c>; of private messages, only its own and those for it.</summary>
    public async Task<IReadOnlyList<ChatMessage>> ChatForAsync(RoomPeer viewer) =>
        viewer.Permissions.ChatCanReceive ? [.. (await RecentChatAsync().ConfigureAwait(false)).Where(m => m.IsFor(viewer.Participant.Id))] : [];

    /// <summary>
    /// The participants of the peers <paramref name="named"/> picks: whom a private message a front end names by its
    /// own peer ids goes to (<see cref="ChatAsync"/>).
    /// </summary>
    public string[] ParticipantsOf(Func<RoomPeer, bool> named) => [.. Peers.Where(named).Select(p => p.Participant.Id).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// A text message to everyone whose preset lets them receive chat, kept with the session; with
    /// <paramref name="to"/> (participant ids), a private message that only they and the sender get, now and in history.
    /// The sender's preset must allow text there (<c>chat.public</c>, <c>chat.private</c>), and a private message's
    /// recipients' presets must let them be sent one (<c>chat.private.can_receive</c>).
    /// </summary>
    public Task<ChatMessage> ChatAsync(RoomPeer peer, string text, IReadOnlyCollection<string>? to = null)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxChatLength)
        {
            throw new DomainException(DomainError.BadRequest, $"\"text\" must be 1 to {MaxChatLength} characters");
        }

        RequireChatAllowed(peer, toPeers: to is not null, file: false);
        return PostAsync(peer, "text", text, to);
    }

    /// <summary>
    /// A file the message names by its link (<see cref="ChatFiles.OfLinkAsync"/>; null when it names none), which must be
    /// one the peer's participant uploaded for this meeting: an <c>image</c> message when it is a picture, else a
    /// <c>file</c> message; its payload names the file (<see cref="ChatFileJson"/>), which every front end shows with a
    /// signed link (<see cref="ChatFiles.Shown"/>).
    /// </summary>
    public Task<ChatMessage> ChatFileAsync(RoomPeer peer, ChatFile? file, IReadOnlyCollection<string>? to = null)
    {
        RequireChatAllowed(peer, toPeers: to is not null, file: true);
        return PostAsync(peer, RequireOwnFile(peer, file).IsImage ? "image" : "file", ChatFileJson.Write(file!), to);
    }

    /// <summary>The file a message names, which must be one the peer's participant uploaded for this meeting.</summary>
    private ChatFile RequireOwnFile(RoomPeer peer, ChatFile? file)
    {
        if (file is null || file.MeetingId != MeetingId || file.ParticipantId != peer.Participant.Id)
        {
            throw new DomainException(DomainError.BadRequest, "a file message must carry the download link of a file you uploaded for this meeting (chat-upload)");
        }

        return file.Uploaded ? file : throw new DomainException(DomainError.Conflict, "the file has not been uploaded yet");
    }

    private async Task<ChatMessage> PostAsync(RoomPeer peer, string type, string payload, IReadOnlyCollection<string>? to)
    {
        // The sender is one of a private message's targets, so it sees its own (ChatMessage.IsFor); it needs another.
        string[]? targets = to is null ? null : [.. to.Append(peer.Participant.Id).Distinct(StringComparer.Ordinal)];
        if (targets is { Length: < 2 or > MaxChatTargets + 1 })
        {
            throw new DomainException(DomainError.BadRequest, $"a private message goes to 1 to {MaxChatTargets} participants of the meeting besides its sender");
        }

        if (targets is not null && Peers.FirstOrDefault(p => p.Participant.Id != peer.Participant.Id && targets.Contains(p.Participant.Id) && !p.Permissions.ChatPrivate.CanReceive) is { } unreachable)
        {
            throw new DomainException(DomainError.Forbidden, $"{unreachable.Name ?? unreachable.Id} may not be sent private messages (their preset's chat.private.can_receive)");
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            ChargeChatLocked(peer, payload, newMessage: true);
            var message = new ChatMessage(
                Guid.NewGuid().ToString(), RequireSession(), MeetingId, peer.Participant.Id, peer.Id, peer.Name, type, payload, false, false, _time.GetUtcNow(), targets);
            await _store.AddChatAsync(message, CancellationToken.None).ConfigureAwait(false);
            _hasChat = true;
            if (_recentChat is { } recent)
            {
                _recentChat = _options.ChatHistory == 0 ? [] : [.. recent.Skip(recent.Length + 1 - _options.ChatHistory), message];
            }

            PublishChat(new ChatPosted(message), message);
            return message;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Refuses a message (or an edit making one) the peer's preset does not allow: to everyone or privately, a text or a file.</summary>
    private static void RequireChatAllowed(RoomPeer peer, bool toPeers, bool file)
    {
        if (peer.Permissions.ChatRefusal(toPeers, file) is { } refusal)
        {
            throw new DomainException(DomainError.Forbidden, refusal);
        }
    }

    /// <summary>
    /// Tells a message's event to those it is for (whose preset lets them receive chat, and of a private one its sender
    /// and recipients), peers and the meeting's chat members (clients chatting without having joined) alike.
    /// </summary>
    private void PublishChat(RoomEvent change, ChatMessage message)
    {
        bool IsFor(RoomPeer p) => p.Permissions.ChatCanReceive && message.IsFor(p.Participant.Id);
        var peers = _snapshot;
        Publish(change, except: null, to: IsFor);

        // A client admitted a moment ago stays a chat member until its join returns: it is told once, as the peer.
        foreach (var member in _rooms.ChatMembersOf(MeetingId).Where(m => IsFor(m) && !peers.Any(p => ReferenceEquals(p.Client, m.Client))))
        {
            member.Notify(change);
        }
    }

    /// <summary>
    /// Chat's costs, charged before a message is kept (or changed: <paramref name="newMessage"/> false, its new text
    /// only, if any): the participant's rate over all its connections together, and the session's total of messages
    /// and bytes (what one session may store).
    /// </summary>
    private void ChargeChatLocked(RoomPeer peer, string? text, bool newMessage)
    {
        var chat = _services.Chat;
        if (!_chatRates.TryGetValue(peer.Participant.Id, out var rate))
        {
            rate = new TokenBucket(_time, chat.MessagesPerSecond, chat.MessagesPerSecond * 2.0);
            _chatRates.Add(peer.Participant.Id, rate);
        }

        if (!rate.TryTake())
        {
            throw new DomainException(DomainError.TooMany, $"a participant may send {chat.MessagesPerSecond} chat messages a second; slow down");
        }

        int bytes = text is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(text);
        int messages = newMessage ? 1 : 0;
        if (_chatMessages + messages > chat.MaxMessagesPerSession || _chatBytes + bytes > chat.MaxBytesPerSession)
        {
            throw new DomainException(DomainError.TooLarge,
                $"this session's chat is full ({chat.MaxMessagesPerSession} messages or {chat.MaxBytesPerSession} bytes); it opens again with the next session");
        }

        _chatMessages += messages;
        _chatBytes += bytes;
    }

    private string RequireSession() =>
        SessionId ?? throw new DomainException(DomainError.Conflict, "the meeting has no session in progress");
}
