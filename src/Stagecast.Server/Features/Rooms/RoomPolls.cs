using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// A room's polls: created in the session in progress by a peer whose preset has <c>polls.can_create</c> or by the app
/// (REST), voted in once per participant, kept with the session and told to the peers that may see polls
/// (<see cref="PollChanged"/>; what each sees of one: <see cref="PollView.For"/>). At most
/// <see cref="RoomOptions.MaxPollsPerSession"/> a session. The session's polls are read from the store once, then kept
/// as they change. Its own async lock orders the store's writes (a vote reads its poll back); the room closes it when the
/// session ends, after which nothing is created or voted in.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose")]
public sealed class RoomPolls
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly IRoomPresence _room;
    private readonly IPollStore _store;
    private readonly int _maxPolls;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, string> _creators = new(StringComparer.Ordinal);
    private volatile Poll[]? _polls;
    private int _created;
    private bool _closed;

    internal RoomPolls(IRoomPresence room, IPollStore store, int maxPolls, TimeProvider time)
    {
        _room = room;
        _store = store;
        _maxPolls = maxPolls;
        _time = time;
    }

    /// <summary>The session's polls, oldest first: read from the store once, then kept as they are created and voted in.</summary>
    public async Task<IReadOnlyList<Poll>> ListAsync()
    {
        if (_polls is { } polls)
        {
            return polls;
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            return _polls ??= [.. await _store.ListPollsAsync(_room.SessionId ?? "", CancellationToken.None).ConfigureAwait(false)];
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A poll in the session, from a peer (with <c>polls.can_create</c>) or the API (<paramref name="creator"/> null).</summary>
    public async Task<Poll> CreateAsync(RoomPeer? creator, PollRequest request)
    {
        if (creator is { Permissions.PollsCanCreate: false })
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow creating polls");
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            string sessionId = RequireSessionLocked();
            if (_created >= _maxPolls)
            {
                throw new DomainException(DomainError.TooLarge, $"this session has its maximum of {_maxPolls} polls; polls open again with the next session");
            }

            var poll = new Poll(Guid.NewGuid().ToString(), sessionId, _room.MeetingId, creator?.Participant.Id, request.Question!, request.Options!,
                request.Anonymous ?? false, request.HideVotes ?? false, _time.GetUtcNow(), []);
            await _store.CreatePollAsync(poll, CancellationToken.None).ConfigureAwait(false);
            _created++;
            if (creator?.Name is { } name)
            {
                _creators[poll.Id] = name;
            }

            if (_polls is { } polls)
            {
                _polls = [.. polls, poll];
            }

            Publish(poll);
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
            if (poll is null || _closed || poll.SessionId != _room.SessionId)
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
            if (_polls is { } polls)
            {
                _polls = [.. polls.Select(p => p.Id == poll.Id ? poll : p)];
            }

            Publish(poll);
            return poll;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Who created the poll, by the display name it had then (RealtimeKit's clients show "Poll by" it); a peer of the
    /// creator present now for a poll of an earlier room of the session; null for the app's polls.
    /// </summary>
    public string? CreatorName(Poll poll) =>
        _creators.GetValueOrDefault(poll.Id) ?? _room.Peers.FirstOrDefault(p => p.Participant.Id == poll.CreatedBy)?.Name;

    /// <summary>The session ends: once a poll being created or voted in is kept, nothing more is.</summary>
    internal async Task CloseAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        _closed = true;
        _lock.Release();
    }

    private string RequireSessionLocked() =>
        !_closed && _room.SessionId is { } id ? id : throw new DomainException(DomainError.Conflict, "the meeting has no session in progress");

    private void Publish(Poll poll) => _room.Publish(new PollChanged(poll), except: null, to: p => p.Permissions.PollsCanView);
}
