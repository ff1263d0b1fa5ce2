using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Meetings;

/// <summary>Learns of meeting changes that concern live rooms (a meeting set INACTIVE ends its session).</summary>
public interface IMeetingObserver
{
    Task OnMeetingChangedAsync(Meeting meeting);
}

/// <summary>Meetings: create, change (PATCH merges, PUT replaces), find.</summary>
public sealed class MeetingService(IMeetingStore store, IEnumerable<IMeetingObserver> observers, TimeProvider time)
{
    public async Task<Meeting> CreateAsync(string appId, MeetingRequest request, CancellationToken cancellationToken)
    {
        var meeting = request.ApplyTo(New(appId, Guid.NewGuid().ToString(), time.GetUtcNow()));
        await store.CreateAsync(meeting, cancellationToken).ConfigureAwait(false);
        return meeting;
    }

    public async Task<Meeting> UpdateAsync(string appId, string meetingId, MeetingRequest request, bool replace, CancellationToken cancellationToken)
    {
        var current = await FindAsync(appId, meetingId, cancellationToken).ConfigureAwait(false);
        var baseMeeting = replace ? New(appId, current.Id, current.CreatedAt) : current;
        var updated = request.ApplyTo(baseMeeting) with { UpdatedAt = time.GetUtcNow() };
        await store.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
        foreach (var observer in observers)
        {
            await observer.OnMeetingChangedAsync(updated).ConfigureAwait(false);
        }

        return updated;
    }

    public async Task<Meeting> FindAsync(string appId, string meetingId, CancellationToken cancellationToken) =>
        await store.FindAsync(appId, meetingId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(meetingId);

    public static ApiException NotFound(string meetingId) => ApiException.NotFound($"No meeting found with id {meetingId}");

    private static Meeting New(string appId, string id, DateTimeOffset createdAt) =>
        new(id, appId, null, false, false, false, false, false, MeetingRequest.MinKeepAlive, MeetingStatus.Active, null, null, createdAt, createdAt);
}
