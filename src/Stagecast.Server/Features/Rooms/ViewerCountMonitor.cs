using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// Tells a meeting's room (<see cref="ViewerCountChanged"/>) whenever the number of players watching its livestream
/// changes. A player counts as <see cref="LiveViewers"/> says; the count is checked every second while a meeting
/// livestream is active or its last count is still to be brought to 0.
/// </summary>
public sealed class ViewerCountMonitor(MeetingLivestreamRegistry livestreams, LiveViewers viewers, MeetingRooms rooms, TimeProvider time)
    : OnDemandService(time, TimeSpan.FromSeconds(1))
{
    private readonly Dictionary<string, (string MeetingId, int Count)> _last = new(StringComparer.Ordinal);

    protected override Task TickAsync()
    {
        Check();
        return Task.CompletedTask;
    }

    protected override bool IsBusy() => livestreams.All.Count > 0 || _last.Count > 0;

    protected override void Subscribe(Action wake) => livestreams.Added += wake;

    protected override void Unsubscribe(Action wake) => livestreams.Added -= wake;

    /// <summary>Compares each active meeting livestream's players with the last count told; a stopped one goes to 0.</summary>
    public void Check()
    {
        lock (_last)
        {
            CheckLocked();
        }
    }

    private void CheckLocked()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var active in livestreams.All)
        {
            seen.Add(active.LivestreamId);
            int count = viewers.Count(active.LivestreamId);
            Push(active.LivestreamId, active.MeetingId, count);
        }

        foreach (var (livestreamId, last) in _last.Where(e => !seen.Contains(e.Key)).ToList())
        {
            Push(livestreamId, last.MeetingId, 0);
            _last.Remove(livestreamId);
        }
    }

    private void Push(string livestreamId, string meetingId, int count)
    {
        int previous = _last.TryGetValue(livestreamId, out var last) ? last.Count : 0;
        _last[livestreamId] = (meetingId, count);
        if (count != previous)
        {
            rooms.Find(meetingId)?.Publish(new ViewerCountChanged(livestreamId, count));
        }
    }
}
