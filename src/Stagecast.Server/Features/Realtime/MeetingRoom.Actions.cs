using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Realtime;

public sealed partial class MeetingRoom
{
    private const int MaxChatLength = 4000;

    /// <summary>Kicks the peers that match: each gets <c>kicked</c> with the reason, then its socket closes.</summary>
    public async Task<IReadOnlyList<RoomPeer>> KickAsync(Func<RoomPeer, bool> match, string reason)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var kicked = _peers.Values.Where(match).ToList();
            foreach (var peer in kicked)
            {
                KickLocked(peer, reason);
                await RemovePeerLocked(peer, "kicked", now).ConfigureAwait(false);
            }

            return kicked;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Renames a peer and tells the others.</summary>
    public async Task<RoomPeer> RenamePeerAsync(RoomPeer peer, string name)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (peer.Name != name)
            {
                peer.Name = name;
                BroadcastPeerUpdated(peer);
            }

            return peer;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Sets what a peer publishes, from the media that actually flows (meeting media calls it as tracks start, end and
    /// are muted), and tells everyone, the peer included. A peer no longer in the room is left alone.
    /// </summary>
    public async Task SetPeerMediaAsync(RoomPeer peer, bool audio, bool video, bool screenshare)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_peers.ContainsKey(peer.Id) || (peer.AudioEnabled, peer.VideoEnabled, peer.ScreenshareEnabled) == (audio, video, screenshare))
            {
                return;
            }

            (peer.AudioEnabled, peer.VideoEnabled, peer.ScreenshareEnabled) = (audio, video, screenshare);
            BroadcastPeerUpdated(peer);
        }
        finally
        {
            _lock.Release();
        }
    }

    private void BroadcastPeerUpdated(RoomPeer peer)
    {
        if (!peer.Hidden)
        {
            Broadcast(new PeerUpdatedMessage(peer.View()));
        }
        else
        {
            peer.Send(RealtimeJson.Serialize(new PeerUpdatedMessage(peer.View())));
        }
    }

    /// <summary>A text message to everyone whose preset lets them receive chat, kept with the session.</summary>
    public async Task<ChatMessage> ChatAsync(RoomPeer peer, string text)
    {
        if (!peer.Permissions.ChatCanSend)
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow sending chat messages");
        }

        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxChatLength)
        {
            throw new DomainException(DomainError.BadRequest, $"\"text\" must be 1 to {MaxChatLength} characters");
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            ChargeChatLocked(peer, text);
            var message = new ChatMessage(
                Guid.NewGuid().ToString(), RequireSession(), MeetingId, peer.Participant.Id, peer.Id, peer.Name, "text", text, false, false, _time.GetUtcNow());
            await _store.AddChatAsync(message, CancellationToken.None).ConfigureAwait(false);
            _hasChat = true;
            Broadcast(new ChatMessageEvent(ChatView.From(message)), to: p => p.Permissions.ChatCanReceive);
            return message;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Chat's costs, charged before a message is kept: the participant's rate over all its sockets together, and the
    /// session's total of messages and bytes (what one session may store).
    /// </summary>
    private void ChargeChatLocked(RoomPeer peer, string text)
    {
        var chat = _chatOptions;
        if (!_chatRates.TryGetValue(peer.Participant.Id, out var rate))
        {
            rate = new TokenBucket(_time, chat.MessagesPerSecond, chat.MessagesPerSecond * 2.0);
            _chatRates.Add(peer.Participant.Id, rate);
        }

        if (!rate.TryTake())
        {
            throw new DomainException(DomainError.TooMany, $"a participant may send {chat.MessagesPerSecond} chat messages a second; slow down");
        }

        int bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        if (_chatMessages >= chat.MaxMessagesPerSession || _chatBytes + bytes > chat.MaxBytesPerSession)
        {
            throw new DomainException(DomainError.TooLarge,
                $"this session's chat is full ({chat.MaxMessagesPerSession} messages or {chat.MaxBytesPerSession} bytes); it opens again with the next session");
        }

        _chatMessages++;
        _chatBytes += bytes;
    }

    /// <summary>A poll in the session, from a peer (with <c>polls.can_create</c>) or the API (<paramref name="creator"/> null).</summary>
    public async Task<Poll> CreatePollAsync(RoomPeer? creator, PollRequest request)
    {
        if (creator is { Permissions.PollsCanCreate: false })
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow creating polls");
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_polls >= _options.MaxPollsPerSession)
            {
                throw new DomainException(DomainError.TooLarge,
                    $"this session has its maximum of {_options.MaxPollsPerSession} polls; polls open again with the next session");
            }

            var poll = new Poll(Guid.NewGuid().ToString(), RequireSession(), MeetingId, creator?.Participant.Id, request.Question!, request.Options!,
                request.Anonymous ?? false, request.HideVotes ?? false, _time.GetUtcNow(), []);
            await _store.CreatePollAsync(poll, CancellationToken.None).ConfigureAwait(false);
            _polls++;
            BroadcastPoll(poll);
            return poll;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>One vote per participant and poll.</summary>
    public async Task<Poll> VoteAsync(RoomPeer peer, string pollId, int option)
    {
        if (!peer.Permissions.PollsCanVote)
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow voting");
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            var poll = await _store.FindPollAsync(pollId, CancellationToken.None).ConfigureAwait(false);
            if (poll is null || poll.SessionId != SessionId)
            {
                throw new DomainException(DomainError.NotFound, $"no poll {pollId} in this session");
            }

            if (option < 0 || option >= poll.Options.Count)
            {
                throw new DomainException(DomainError.BadRequest, $"\"option\" must be from 0 to {poll.Options.Count - 1}");
            }

            if (!await _store.VoteAsync(pollId, new PollVote(peer.Participant.Id, peer.Name, option, _time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false))
            {
                throw new DomainException(DomainError.Conflict, "you have voted in this poll already");
            }

            poll = (await _store.FindPollAsync(pollId, CancellationToken.None).ConfigureAwait(false))!;
            BroadcastPoll(poll);
            return poll;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Sends a message to every connected peer (a snapshot: never blocks, never waits for a client).</summary>
    public void Broadcast(RealtimeMessage message, RoomPeer? except = null, Func<RoomPeer, bool>? to = null)
    {
        byte[] bytes = RealtimeJson.Serialize(message);
        foreach (var peer in _snapshot)
        {
            if (peer != except && (to is null || to(peer)))
            {
                peer.Send(bytes);
            }
        }
    }

    private void BroadcastPoll(Poll poll)
    {
        if (!poll.HideVotes)
        {
            Broadcast(new PollUpdatedMessage(PollView.For(poll, null)), to: p => p.Permissions.PollsCanView);
            return;
        }

        foreach (var peer in _snapshot.Where(p => p.Permissions.PollsCanView))
        {
            peer.Send(RealtimeJson.Serialize(new PollUpdatedMessage(PollView.For(poll, peer.Participant.Id))));
        }
    }

    private void KickLocked(RoomPeer peer, string reason)
    {
        if (peer.Client is { } client)
        {
            client.Connection.TrySend(RealtimeJson.Serialize(new KickedMessage(reason)));
            client.Connection.Close(RealtimeCloseCodes.Kicked, reason);
            peer.Client = null;
        }
    }

    private string RequireSession() =>
        SessionId ?? throw new DomainException(DomainError.Conflict, "the meeting has no session in progress");
}
