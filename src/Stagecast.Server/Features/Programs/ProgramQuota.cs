using Microsoft.Extensions.Options;
using Stagecast.Compositor;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Programs;

/// <summary>
/// Bounds the meeting programs that run at once, each a third to a half of a core at 720p: an app's
/// (<see cref="CompositorOptions.MaxProgramsPerApp"/>), an account's, every app of it together
/// (<see cref="CompositorOptions.MaxProgramsPerAccount"/>: apps are free to create), and this server's
/// (<see cref="CompositorOptions.MaxPrograms"/>). A meeting has one program however many livestreams, recordings and
/// room streams it feeds, so what is counted is meetings: those whose program runs, and those admitted whose output is
/// about to attach (an admission ends when it does, or lapses after <see cref="AdmissionHold"/> when the start failed
/// after it). Whatever needs a program calls <see cref="Admit"/> before it creates anything, so a refusal leaves
/// nothing behind; while a meeting is admitted, its idle program is not stopped under the output about to attach.
/// </summary>
public sealed class ProgramQuota(IOptions<CompositorOptions> options, TimeProvider time)
{
    public static readonly TimeSpan AdmissionHold = TimeSpan.FromSeconds(30);
    private const string WhatAProgramFeeds = "a program feeds a meeting's livestream, recordings and room streams";
    private readonly Lock _sync = new();
    private readonly Dictionary<string, ProgramOwner> _running = new(StringComparer.Ordinal); // by meeting id
    private readonly Dictionary<string, (ProgramOwner Owner, long At)> _admitted = new(StringComparer.Ordinal);

    /// <summary>
    /// Lets meeting <paramref name="meetingId"/> of <paramref name="owner"/> have a program (always, when it has one
    /// already). Refused with the error envelope naming the limit and its setting: 429 when the app's or the account's
    /// meetings hold every program they may run, 503 when this server runs all it may.
    /// </summary>
    public void Admit(ProgramOwner owner, string meetingId)
    {
        lock (_sync)
        {
            long now = time.GetTimestamp();
            var meetings = Meetings(now);
            if (!meetings.ContainsKey(meetingId))
            {
                var settings = options.Value;
                int app = meetings.Values.Count(o => o.AppId == owner.AppId);
                int account = meetings.Values.Count(o => o.AccountId == owner.AccountId);
                if (app >= settings.MaxProgramsPerApp)
                {
                    throw new ApiException(StatusCodes.Status429TooManyRequests,
                        $"this app runs {app} meeting programs, the most it may at once (Stagecast:Compositor:MaxProgramsPerApp = {settings.MaxProgramsPerApp}); " +
                        $"{WhatAProgramFeeds}: stop those of another meeting first");
                }

                if (account >= settings.MaxProgramsPerAccount)
                {
                    throw new ApiException(StatusCodes.Status429TooManyRequests,
                        $"this account's apps run {account} meeting programs, the most an account may at once (Stagecast:Compositor:MaxProgramsPerAccount = " +
                        $"{settings.MaxProgramsPerAccount}); {WhatAProgramFeeds}: stop those of another meeting of the account first");
                }

                if (meetings.Count >= settings.MaxPrograms)
                {
                    throw new ApiException(StatusCodes.Status503ServiceUnavailable,
                        $"this server runs {meetings.Count} meeting programs, the most it may at once (Stagecast:Compositor:MaxPrograms = {settings.MaxPrograms}); " +
                        "try again once others have ended");
                }
            }

            _admitted[meetingId] = (owner, now);
        }
    }

    /// <summary>The meetings of <paramref name="appId"/> that hold a program, running or admitted.</summary>
    public int Programs(string appId)
    {
        lock (_sync)
        {
            return Meetings(time.GetTimestamp()).Values.Count(o => o.AppId == appId);
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

    /// <summary>The meeting's program runs: its owner is the one that admitted it, else <paramref name="owner"/>.</summary>
    internal void Started(string meetingId, ProgramOwner owner)
    {
        lock (_sync)
        {
            _running[meetingId] = _admitted.TryGetValue(meetingId, out var admission) ? admission.Owner : owner;
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

    /// <summary>Every meeting that holds a program, running or admitted (lapsed admissions dropped), and its owner.</summary>
    private Dictionary<string, ProgramOwner> Meetings(long now)
    {
        foreach (string lapsed in _admitted.Where(a => time.GetElapsedTime(a.Value.At, now) >= AdmissionHold).Select(a => a.Key).ToList())
        {
            _admitted.Remove(lapsed);
        }

        var meetings = new Dictionary<string, ProgramOwner>(_running, StringComparer.Ordinal);
        foreach (var (meetingId, admission) in _admitted)
        {
            meetings.TryAdd(meetingId, admission.Owner);
        }

        return meetings;
    }
}
