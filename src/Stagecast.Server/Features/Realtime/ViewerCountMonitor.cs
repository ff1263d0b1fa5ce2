using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.Realtime.Protocol;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// Pushes <c>viewer_count</c> to a meeting whenever the number of players watching its livestream changes. A player
/// counts as <see cref="LiveViewers"/> says; the count is checked every second.
/// </summary>
public sealed class ViewerCountMonitor(MeetingLivestreamRegistry livestreams, LiveViewers viewers, MeetingRooms rooms, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, (string MeetingId, int Count)> _last = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Check();
            }
        }
        catch (OperationCanceledException)
        {
            // shutting down
        }
    }

    /// <summary>Compares each active meeting livestream's players with the last count pushed; a stopped one goes to 0.</summary>
    public void Check()
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
            rooms.Find(meetingId)?.Broadcast(new ViewerCountMessage(livestreamId, count));
        }
    }
}
