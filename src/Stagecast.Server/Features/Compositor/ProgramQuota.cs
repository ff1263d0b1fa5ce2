using Microsoft.Extensions.Options;
using Stagecast.Compositor;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Compositor;

/// <summary>
/// Bounds the meeting programs one app runs at once (<see cref="CompositorOptions.MaxProgramsPerApp"/>): each costs
/// a third to a half of a core at 720p. A meeting has one program however many livestreams, recordings and room streams it feeds, so what
/// is counted is meetings: those whose program runs, and those admitted whose output is about to attach (an
/// admission ends when it does, or lapses after <see cref="AdmissionHold"/> when the start failed after it). Whatever
/// needs a program calls <see cref="Admit"/> before it creates anything, so a refusal leaves nothing behind; while a
/// meeting is admitted, its idle program is not stopped under the output about to attach.
/// </summary>
public sealed class ProgramQuota(IOptions<CompositorOptions> options, TimeProvider time)
{
    public static readonly TimeSpan AdmissionHold = TimeSpan.FromSeconds(30);
    private readonly Lock _sync = new();
    private readonly Dictionary<string, string> _running = new(StringComparer.Ordinal); // meeting id -> app id
    private readonly Dictionary<string, (string AppId, long At)> _admitted = new(StringComparer.Ordinal);

    /// <summary>
    /// Lets meeting <paramref name="meetingId"/> of app <paramref name="appId"/> have a program (always, when it has
    /// one already); 429 with the error envelope when the app's meetings hold every program it may run.
    /// </summary>
    public void Admit(string appId, string meetingId)
    {
        lock (_sync)
        {
            long now = time.GetTimestamp();
            var meetings = MeetingsOf(appId, now);
            int limit = options.Value.MaxProgramsPerApp;
            if (!meetings.Contains(meetingId) && meetings.Count >= limit)
            {
                throw new ApiException(StatusCodes.Status429TooManyRequests,
                    $"this app runs {meetings.Count} meeting programs, the most it may at once (Stagecast:Compositor:MaxProgramsPerApp = {limit}); a program feeds a " +
                    "meeting's livestream, recordings and room streams: stop those of another meeting first");
            }

            _admitted[meetingId] = (appId, now);
        }
    }

    /// <summary>The meetings of <paramref name="appId"/> that hold a program, running or admitted.</summary>
    public int Programs(string appId)
    {
        lock (_sync)
        {
            return MeetingsOf(appId, time.GetTimestamp()).Count;
        }
    }

    /// <summary>True while an output admitted for the meeting has yet to attach.</summary>
    internal bool Admitting(string meetingId)
    {
        lock (_sync)
        {
            return _admitted.TryGetValue(meetingId, out var admission) && time.GetElapsedTime(admission.At) < AdmissionHold;
        }
    }

    /// <summary>The meeting's program runs: its app is the one that admitted it, else <paramref name="appId"/>.</summary>
    internal void Started(string meetingId, string? appId)
    {
        lock (_sync)
        {
            _running[meetingId] = _admitted.TryGetValue(meetingId, out var admission) ? admission.AppId : appId ?? "";
        }
    }

    /// <summary>An output of the meeting's program attached: its admission is done.</summary>
    internal void Attached(string meetingId)
    {
        lock (_sync)
        {
            _admitted.Remove(meetingId);
        }
    }

    internal void Stopped(string meetingId)
    {
        lock (_sync)
        {
            _running.Remove(meetingId);
        }
    }

    private HashSet<string> MeetingsOf(string appId, long now)
    {
        foreach (string lapsed in _admitted.Where(a => time.GetElapsedTime(a.Value.At, now) >= AdmissionHold).Select(a => a.Key).ToList())
        {
            _admitted.Remove(lapsed);
        }

        return [.. _running.Where(r => r.Value == appId).Select(r => r.Key), .. _admitted.Where(a => a.Value.AppId == appId).Select(a => a.Key)];
    }
}
