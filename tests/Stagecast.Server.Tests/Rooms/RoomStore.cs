using Stagecast.Server.Features.MeetingSessions;

namespace Stagecast.Server.Tests.Rooms;

/// <summary>Chat and polls kept in memory, as the SQL stores keep them (what the room's chat and polls ask of a store).</summary>
internal sealed class RoomStore : IChatMessageStore, IPollStore
{
    private readonly List<ChatMessage> _chat = [];
    private readonly List<Poll> _polls = [];

    /// <summary>How many times the chat and the polls were read (the components keep what they read once).</summary>
    public int Reads { get; private set; }

    public Task AddChatAsync(ChatMessage message, CancellationToken cancellationToken) => Locked(() => _chat.Add(message));

    public Task<ChatMessage?> FindChatAsync(string id, CancellationToken cancellationToken) => Locked(() => _chat.Find(m => m.Id == id));

    public Task UpdateChatAsync(ChatMessage message, CancellationToken cancellationToken) => Locked(() => _chat[_chat.FindIndex(m => m.Id == message.Id)] = message);

    public Task DeleteChatAsync(string id, CancellationToken cancellationToken) => Locked(() => _chat.RemoveAll(m => m.Id == id));

    public Task<IReadOnlyList<ChatMessage>> ListChatAsync(string sessionId, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<ChatMessage>>(() => [.. _chat.Where(m => m.SessionId == sessionId)]);

    public Task<IReadOnlyList<ChatMessage>> ListRecentMeetingChatAsync(string meetingId, int limit, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<ChatMessage>>(() => [.. _chat.Where(m => m.MeetingId == meetingId).TakeLast(limit)]);

    public Task CreatePollAsync(Poll poll, CancellationToken cancellationToken) => Locked(() => _polls.Add(poll));

    public Task<bool> VoteAsync(string pollId, PollVote vote, CancellationToken cancellationToken) => Locked(() =>
    {
        int index = _polls.FindIndex(p => p.Id == pollId);
        if (_polls[index].Votes.Any(v => v.ParticipantId == vote.ParticipantId))
        {
            return false;
        }

        _polls[index] = _polls[index] with { Votes = [.. _polls[index].Votes, vote] };
        return true;
    });

    public Task<Poll?> FindPollAsync(string pollId, CancellationToken cancellationToken) => Locked(() => _polls.Find(p => p.Id == pollId));

    public Task<IReadOnlyList<Poll>> ListPollsAsync(string sessionId, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<Poll>>(() => [.. _polls.Where(p => p.SessionId == sessionId)]);

    private Task<T> Read<T>(Func<T> read) => Locked(() =>
    {
        Reads++;
        return read();
    });

    private Task Locked(Action change) => Locked(() =>
    {
        change();
        return true;
    });

    private Task<T> Locked<T>(Func<T> act)
    {
        lock (_chat)
        {
            return Task.FromResult(act());
        }
    }
}
