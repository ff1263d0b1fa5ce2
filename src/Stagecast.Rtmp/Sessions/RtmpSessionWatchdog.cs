using System.Collections.Concurrent;
using Stagecast.Streaming;

namespace Stagecast.Rtmp.Sessions;

/// <summary>
/// One timer for the deadlines of every RTMP session (setup deadline, idle timeout): once a second it looks at each
/// open session. A timer per session fired a thread-pool callback per connection per second, about as many
/// wake-ups at 100 publishers as the paced I/O loops themselves (bench/README.md). It runs only while a session is
/// open.
/// </summary>
public sealed class RtmpSessionWatchdog : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<RtmpServerSession, byte> _sessions = new(ReferenceEqualityComparer.Instance);
    private readonly DemandTimer _timer;

    public RtmpSessionWatchdog(TimeProvider time) =>
        _timer = new DemandTimer(time, Period, CheckAll, () => !_sessions.IsEmpty);

    /// <summary>Sessions watched now.</summary>
    public int Count => _sessions.Count;

    public void Watch(RtmpServerSession session)
    {
        _sessions.TryAdd(session, 0);
        _timer.Start();
    }

    public void Forget(RtmpServerSession session) => _sessions.TryRemove(session, out _);

    public void Dispose() => _timer.Dispose();

    private void CheckAll()
    {
        foreach (var session in _sessions.Keys)
        {
            session.CheckTimeouts();
        }
    }
}
