using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stagecast.Compositor;
using Stagecast.Compositor.Video;
using Stagecast.FfmpegProcesses;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Programs;

/// <summary>
/// Runs each meeting's program while something needs it: a meeting livestream without manual ingest (published into
/// the livestreams' hub under its id), room streams and recordings (into <see cref="ProgramHub"/> under the meeting's
/// id), each an output of the program. A program
/// starts with its first output and stops <see cref="CompositorOptions.Linger"/> after its last. It follows the
/// meeting as its router tells that the sources changed and its room that a peer changed (a name), and carries the
/// meeting's captions in its program stream (for recordings) as its room tells them: who on the stage
/// publishes which source (the audience of a webinar, livestream or audio room and hidden participants never appear;
/// <see cref="MeetingRouter.VisibleSources"/>), in speaker order, under their names.
/// </summary>
public sealed partial class MeetingPrograms(
    IOptions<CompositorOptions> options,
    FfmpegLauncher ffmpeg,
    MeetingRooms rooms,
    MeetingMediaService media,
    MeetingMediaHub tracks,
    StreamHub hub,
    NameLabels labels,
    ProgramQuota quota,
    AppAccounts accounts,
    TimeProvider time,
    ILoggerFactory loggers) : IMeetingLivestreamListener, IMeetingLivestreamPrograms, IRoomObserver, IAsyncDisposable
{
    /// <summary>
    /// Where programs go for room streams and recordings, one stream per meeting (its id): a hub of its own, so no
    /// LL-HLS, livestream session or output ever sees it.
    /// </summary>
    public StreamHub ProgramHub { get; } = new(Options.Create(new StreamHubOptions()), time, [], loggers.CreateLogger<StreamHub>());

    private static readonly TimeSpan MinimumLinger = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, Running> _programs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly Dictionary<string, int> _programStreamUsers = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<MeetingPrograms>();
    private int _followingRouters;

    /// <summary>The running program of a meeting, if any (diagnostics and tests).</summary>
    public MeetingProgram? Find(string meetingId) => _programs.TryGetValue(meetingId, out var running) ? running.Program : null;

    /// <summary>
    /// Lets meeting <paramref name="meetingId"/> of app <paramref name="appId"/> have a program, before whatever needs it
    /// creates anything; refused with the error envelope past a limit (<see cref="ProgramQuota.Admit"/>), and (503) when
    /// the server has no ffmpeg to make it with: a livestream or recording started anyway would wait for ever.
    /// </summary>
    public async Task AdmitAsync(string appId, string meetingId, CancellationToken cancellationToken)
    {
        if (!ffmpeg.IsInstalled)
        {
            throw new DomainException(DomainError.Unavailable,
                $"this server cannot make the meeting's program: ffmpeg ({ffmpeg.Path}) is not installed; install it (apt install ffmpeg) or name it with --ffmpeg");
        }

        quota.Admit(await OwnerAsync(appId, cancellationToken).ConfigureAwait(false), meetingId);
    }

    public ProgramStatusDto? Status(string meetingId, string livestreamId)
    {
        if (Find(meetingId) is not { } program || !program.Outputs.Contains(livestreamId))
        {
            return null;
        }

        var frames = program.Frames;
        return new ProgramStatusDto(program.Width, program.Height, program.FrameRate, Math.Round(frames.FramesPerSecond, 1), frames.Produced, frames.Dropped, frames.Late,
            frames.EncoderBehind);
    }

    public void OnMeetingLivestreamChanged(MeetingLivestreamEvent change)
    {
        if (change.Livestream.Record.ManualIngest)
        {
            return;
        }

        var record = change.Livestream.Record;
        switch (change.Change)
        {
            case MeetingLivestreamChange.Invoked:
                _ = AttachAsync(change.MeetingId, hub, record.Id, record.VideoConfig?.Width, record.VideoConfig?.Height);
                break;
            case MeetingLivestreamChange.Stopped:
                _ = DetachAsync(change.MeetingId, record.Id);
                break;
        }
    }

    /// <summary>
    /// Publishes the meeting's program into <paramref name="target"/>'s stream <paramref name="streamId"/> (from the
    /// program's next keyframe), starting the program if it does not run; a running program keeps its size.
    /// </summary>
    public async Task AttachAsync(string meetingId, StreamHub target, string streamId, int? width = null, int? height = null)
    {
        await _changes.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_programs.TryGetValue(meetingId, out var running))
            {
                var settings = options.Value;
                int programWidth = Math.Clamp(width ?? settings.Width, 160, 1920);
                int programHeight = Math.Clamp(height ?? settings.Height, 90, 1080);
                var meeting = rooms.Find(meetingId)?.Meeting;
                string title = meeting?.Title ?? "";
                var program = new MeetingProgram(meetingId, settings, ffmpeg, programWidth, programHeight, title, labels, time,
                    loggers.CreateLogger<MeetingProgram>());
                running = new Running(meetingId, program);
                _programs[meetingId] = running;
                if (Interlocked.Exchange(ref _followingRouters, 1) == 0)
                {
                    media.SourcesChanged += OnSourcesChanged;
                }

                quota.Started(meetingId, meeting is null ? default : await OwnerAsync(meeting.AppId, CancellationToken.None).ConfigureAwait(false));
                Follow(running);
                program.Start();
                Log.Started(_logger, meetingId, program.Width, program.Height);
            }

            running.IdleSince = null;
            running.Program.Outputs.Add(streamId, () => Open(target, streamId));
            quota.Attached(meetingId);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Stops publishing the program into <paramref name="streamId"/>; the program itself stops a little after its last output.</summary>
    public async Task DetachAsync(string meetingId, string streamId)
    {
        await _changes.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_programs.TryGetValue(meetingId, out var running))
            {
                running.Program.Outputs.Remove(streamId)?.Unpublish();
                if (running.Program.Outputs.Count == 0)
                {
                    // Stopped once it has lingered with no output; an output attached meanwhile keeps it.
                    running.IdleSince = time.GetTimestamp();
                    LingerFor(running, options.Value.Linger);
                }
            }
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>
    /// One more user (a room stream, a recording) of the meeting's stream in <see cref="ProgramHub"/>: the first starts
    /// publishing the program there (and the program, if it does not run).
    /// </summary>
    public async Task AcquireProgramStreamAsync(string meetingId, int? width = null, int? height = null)
    {
        bool first;
        lock (_programStreamUsers)
        {
            _programStreamUsers[meetingId] = _programStreamUsers.GetValueOrDefault(meetingId) + 1;
            first = _programStreamUsers[meetingId] == 1;
        }

        if (first)
        {
            await AttachAsync(meetingId, ProgramHub, meetingId, width, height).ConfigureAwait(false);
        }
        else
        {
            quota.Attached(meetingId); // its program runs for the stream's first user
        }
    }

    /// <summary>One user fewer of the meeting's program stream; the last one ends it.</summary>
    public async Task ReleaseProgramStreamAsync(string meetingId)
    {
        bool last;
        lock (_programStreamUsers)
        {
            int users = _programStreamUsers.GetValueOrDefault(meetingId) - 1;
            last = users <= 0;
            if (last)
            {
                _programStreamUsers.Remove(meetingId);
            }
            else
            {
                _programStreamUsers[meetingId] = users;
            }
        }

        if (last)
        {
            await DetachAsync(meetingId, meetingId).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (string meetingId in _programs.Keys)
        {
            if (_programs.TryRemove(meetingId, out var running))
            {
                quota.Stopped(meetingId);
                await StopAsync(running).ConfigureAwait(false);
            }
        }
    }

    private async Task<ProgramOwner> OwnerAsync(string appId, CancellationToken cancellationToken) =>
        new(appId, await accounts.AccountOfAsync(appId, cancellationToken).ConfigureAwait(false));

    private static Publisher? Open(StreamHub target, string streamId)
    {
        var result = target.TryPublish(streamId, new PublisherInfo("compositor", "127.0.0.1"), out var publisher);
        return result == PublishResult.AlreadyPublishing ? null : publisher;
    }

    /// <summary>A meeting's sources changed (its router tells): its program follows.</summary>
    private void OnSourcesChanged(MeetingRouter router) => FollowSoon(router.MeetingId);

    /// <summary>A line of the meeting was captioned (its room tells): a timed text frame of its program stream, which its recordings write.</summary>
    public void OnCaptioned(MeetingRoom room, TimedTextCue cue) => ProgramHub.Find(room.Meeting.Id)?.WriteTimedText(cue);

    /// <summary>A peer changed (its room tells): its new name shows.</summary>
    public void OnPeerChanged(MeetingRoom room, RoomPeer peer) => FollowSoon(room.Meeting.Id);

    private void FollowSoon(string meetingId)
    {
        if (_programs.TryGetValue(meetingId, out var running))
        {
            _ = Task.Run(() => Follow(running)); // off the caller, which may hold the room's lock
        }
    }

    /// <summary>Shows the meeting's visible sources; one follow at a time, so the sources read last are the ones shown.</summary>
    private void Follow(Running running)
    {
        lock (running)
        {
            FollowLocked(running);
        }
    }

    private void FollowLocked(Running running)
    {
        try
        {
            var room = rooms.Find(running.MeetingId);
            var roomMedia = room is null ? null : media.Find(room);
            var sources = new List<ProgramSource>();
            foreach (var (peer, source) in roomMedia?.VisibleSources() ?? [])
            {
                if (tracks.Hub.Find(new MeetingStreamKey(running.MeetingId, peer.Id, source).HubId) is { } stream)
                {
                    sources.Add(new ProgramSource(stream, peer.Name ?? peer.Participant.Name ?? "", source == MediaSource.Screenshare));
                }
            }

            running.Program.SetSources(sources);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            Log.FollowFailed(_logger, ex, running.MeetingId);
        }
    }

    private async Task StopIdleAsync(Running running)
    {
        await _changes.WaitAsync().ConfigureAwait(false);
        try
        {
            if (running.IdleSince is not { } idle || running.Program.Outputs.Count > 0)
            {
                return;
            }

            // A timer may fire a little early, an admitted output may be about to attach: look again later, never give up.
            var left = options.Value.Linger - time.GetElapsedTime(idle);
            if (left > TimeSpan.Zero || quota.Admitting(running.MeetingId))
            {
                var again = left > TimeSpan.Zero ? left : options.Value.Linger;
                LingerFor(running, again > MinimumLinger ? again : MinimumLinger);
                return;
            }

            if (!_programs.TryRemove(new(running.MeetingId, running)))
            {
                return;
            }

            quota.Stopped(running.MeetingId); // here, before another program of the meeting can start
        }
        finally
        {
            _changes.Release();
        }

        await StopAsync(running).ConfigureAwait(false);
        Log.Stopped(_logger, running.MeetingId);
    }

    /// <summary>Looks again after <paramref name="delay"/> whether the idle program should stop (under <see cref="_changes"/>).</summary>
    private void LingerFor(Running running, TimeSpan delay)
    {
        running.Timer?.Dispose();
        running.Timer = time.CreateTimer(_ => _ = StopIdleAsync(running), null, delay, Timeout.InfiniteTimeSpan);
    }

    private static async Task StopAsync(Running running)
    {
        if (running.Timer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        await running.Program.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class Running(string meetingId, MeetingProgram program)
    {
        public string MeetingId { get; } = meetingId;

        public MeetingProgram Program { get; } = program;

        public ITimer? Timer { get; set; }

        /// <summary>When its last output went (null while it has one).</summary>
        public long? IdleSince { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "The program of meeting {MeetingId} started ({Width}x{Height})")]
        public static partial void Started(ILogger logger, string meetingId, int width, int height);

        [LoggerMessage(2, LogLevel.Information, "The program of meeting {MeetingId} stopped: nothing needs it")]
        public static partial void Stopped(ILogger logger, string meetingId);

        [LoggerMessage(3, LogLevel.Warning, "Following the participants of meeting {MeetingId} failed")]
        public static partial void FollowFailed(ILogger logger, Exception exception, string meetingId);
    }
}
