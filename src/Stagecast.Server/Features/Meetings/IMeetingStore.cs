using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Meetings;

public interface IMeetingStore
{
    Task CreateAsync(Meeting meeting, CancellationToken cancellationToken);

    Task<Meeting?> FindAsync(string appId, string meetingId, CancellationToken cancellationToken);

    /// <summary>A meeting by id in any app (the realtime channel, whose tokens name the meeting).</summary>
    Task<Meeting?> FindAsync(string meetingId, CancellationToken cancellationToken);

    Task<Page<Meeting>> ListAsync(string appId, MeetingFilter filter, Paging paging, CancellationToken cancellationToken);

    Task UpdateAsync(Meeting meeting, CancellationToken cancellationToken);

    /// <summary>A meeting's active breakout rooms (its connected meetings), oldest first.</summary>
    Task<IReadOnlyList<Meeting>> ListChildrenAsync(string parentMeetingId, CancellationToken cancellationToken);
}
