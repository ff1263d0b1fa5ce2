namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>A session's polls and their votes as stored (<see cref="IMeetingSessionStore"/>'s), what a room's polls read and write.</summary>
public interface IPollStore
{
    Task CreatePollAsync(Poll poll, CancellationToken cancellationToken);

    /// <summary>Records a vote; false when the participant has voted in that poll already.</summary>
    Task<bool> VoteAsync(string pollId, PollVote vote, CancellationToken cancellationToken);

    Task<Poll?> FindPollAsync(string pollId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Poll>> ListPollsAsync(string sessionId, CancellationToken cancellationToken);
}
