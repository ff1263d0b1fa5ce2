using System.Diagnostics.CodeAnalysis;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.MeetingLivestreams;

/// <summary>
/// Livestreams of meetings (L6-L10). Starting one creates a livestream INVOKED with its session waiting for media;
/// with manual ingest the host pushes RTMP to its key, otherwise the meeting's composite program feeds it. It stays
/// active until stopped (the API, a participant with <c>can_livestream</c>, or the end of the meeting session it was
/// started in): a broadcast that ends in between leaves it INVOKED, waiting for media again in a new session. Its
/// key publishes only while it is active. A meeting with <c>live_stream_on_start</c> starts one with each session.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose")]
public sealed partial class MeetingLivestreamService(
    ILivestreamStore store,
    ILivestreamSessionStore sessions,
    LivestreamService livestreams,
    MeetingLivestreamRegistry registry,
    StreamHub hub,
    LivestreamSessionWriter writer,
    StreamKeyProtector keys,
    IMeetingLivestreamPrograms programs,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<MeetingLivestreamService> logger) : IHubStreamObserver, IMeetingSessionObserver
{
    private readonly SemaphoreSlim _changes = new(1, 1);

    public async Task<LivestreamView> StartAsync(Meeting meeting, string? meetingSessionId, StartMeetingLivestreamRequest request, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (meeting.Status == MeetingStatus.Inactive)
            {
                throw ApiException.Conflict($"meeting {meeting.Id} is inactive");
            }

            if (registry.ForMeeting(meeting.Id) is { } current)
            {
                throw ApiException.Conflict($"meeting {meeting.Id} already has an active livestream {current.LivestreamId}");
            }

            if (request.ManualIngest != true)
            {
                await programs.AdmitAsync(meeting.AppId, meeting.Id, cancellationToken).ConfigureAwait(false); // the meeting's program will feed it
            }

            string key = Secrets.NewStreamKey();
            var now = time.GetUtcNow();
            var videoConfig = request.VideoConfig is { } v ? new VideoConfig(v.Width, v.Height) : null;
            var livestream = new Livestream(Guid.NewGuid().ToString(), meeting.AppId, request.Name, meeting.Id, keys.Protect(key), keys.LookupHash(key),
                LivestreamStatus.Invoked, false, request.ManualIngest ?? false, now, now, meetingSessionId, videoConfig,
                Renditions: LadderSetting.Parse(request.Renditions));
            await store.CreateLivestreamAsync(livestream, cancellationToken).ConfigureAwait(false);
            var session = Invocation(livestream, now);
            await sessions.InvokeSessionAsync(session, cancellationToken).ConfigureAwait(false);
            var active = new ActiveMeetingLivestream(livestream, session.Id);
            registry.TryAdd(active);
            Log.Started(logger, livestream.Id, meeting.Id, livestream.ManualIngest);
            Notify(active, MeetingLivestreamChange.Invoked);
            return livestreams.View(livestream);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Stops a meeting's active livestream: its session ends and a publisher is disconnected. False when none is active.</summary>
    public async Task<bool> StopAsync(string meetingId, string reason)
    {
        await _changes.WaitAsync().ConfigureAwait(false);
        try
        {
            if (registry.ForMeeting(meetingId) is not { } active)
            {
                return false;
            }

            string? pending;
            lock (active)
            {
                active.Stopped = true;
                registry.TryRemove(active);
                pending = active.TakePendingSession();
            }

            if (pending is not null)
            {
                // Invoked and never fed: the session ends without having started.
                writer.Enqueue(new LivestreamSessionEvent.Ended(pending, active.LivestreamId, null, time.GetUtcNow(), null, 0, 0, LivestreamStatus.Idle));
            }

            hub.Stop(active.LivestreamId, reason); // a broadcast in progress ends; the recorder writes its end (IDLE)
            Log.Stopped(logger, active.LivestreamId, meetingId, reason);
            Notify(active, MeetingLivestreamChange.Stopped);
            return true;
        }
        finally
        {
            _changes.Release();
        }
    }

    public ActiveMeetingLivestream? ActiveFor(string meetingId) => registry.ForMeeting(meetingId);

    /// <summary>
    /// The meeting livestream as its meeting's channel shows it now, from the media plane (ahead of the database the
    /// API reads): LIVE while a broadcast is in progress, INVOKED while it waits for one.
    /// </summary>
    public LivestreamView View(ActiveMeetingLivestream active) =>
        View(active, hub.Find(active.LivestreamId) is not null ? LivestreamStatus.Live : LivestreamStatus.Invoked);

    private LivestreamView View(ActiveMeetingLivestream active, LivestreamStatus status) => livestreams.View(active.Record with { Status = status });

    public void OnStreamStarted(HubStream stream)
    {
        if (registry.TryGet(stream.Id, out var active))
        {
            Notify(active, MeetingLivestreamChange.Started);
        }
    }

    public void OnStreamEnded(HubStream stream)
    {
        if (!registry.TryGet(stream.Id, out var active) || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return; // not a meeting livestream, or the server is stopping (its meeting session ends and stops it)
        }

        LivestreamSession session;
        lock (active)
        {
            if (active.Stopped)
            {
                return;
            }

            session = Invocation(active.Record, time.GetUtcNow());
            active.SetPendingSession(session.Id);
        }

        writer.Enqueue(new LivestreamSessionEvent.Invoked(session)); // after the recorder's end of the broadcast, in the same queue
        if (stream.EndKind == StreamEndKind.PublisherLost)
        {
            Notify(active, MeetingLivestreamChange.Errored, stream.LastPublisherError ?? "the publisher disconnected and did not come back");
        }

        Notify(active, MeetingLivestreamChange.Invoked);
    }

    public async Task OnSessionStartedAsync(Meeting meeting, string sessionId)
    {
        if (!meeting.LiveStreamOnStart)
        {
            return;
        }

        try
        {
            await StartAsync(meeting, sessionId, new StartMeetingLivestreamRequest(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (ApiException ex)
        {
            Log.AutoStartSkipped(logger, meeting.Id, ex.Message);
        }
    }

    public async Task OnSessionEndedAsync(Meeting meeting, string sessionId)
    {
        if (registry.ForMeeting(meeting.Id) is { } active && active.MeetingSessionId == sessionId)
        {
            await StopAsync(meeting.Id, "the meeting session ended").ConfigureAwait(false);
        }
    }

    private static LivestreamSession Invocation(Livestream livestream, DateTimeOffset now) =>
        new(Guid.NewGuid().ToString(), livestream.Id, livestream.AppId, null, now, null, null, 0, 0, now, now, livestream.MeetingSessionId);

    private void Notify(ActiveMeetingLivestream active, MeetingLivestreamChange change, string? error = null)
    {
        var status = change switch
        {
            MeetingLivestreamChange.Started => LivestreamStatus.Live,
            MeetingLivestreamChange.Stopped => LivestreamStatus.Idle,
            _ => LivestreamStatus.Invoked, // an errored broadcast leaves it waiting for media again
        };
        var notice = new MeetingLivestreamEvent(active.MeetingId, change, View(active, status), error);
        foreach (var listener in services.GetServices<IMeetingLivestreamListener>())
        {
            try
            {
                listener.OnMeetingLivestreamChanged(notice);
            }
            catch (Exception ex)
            {
                Log.ListenerFailed(logger, ex, active.LivestreamId);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Meeting livestream {LivestreamId} of meeting {MeetingId} started (manual ingest: {ManualIngest})")]
        public static partial void Started(ILogger logger, string livestreamId, string meetingId, bool manualIngest);

        [LoggerMessage(2, LogLevel.Information, "Meeting livestream {LivestreamId} of meeting {MeetingId} stopped: {Reason}")]
        public static partial void Stopped(ILogger logger, string livestreamId, string meetingId, string reason);

        [LoggerMessage(3, LogLevel.Information, "Meeting {MeetingId} goes live on start, but its livestream was not started: {Reason}")]
        public static partial void AutoStartSkipped(ILogger logger, string meetingId, string reason);

        [LoggerMessage(4, LogLevel.Error, "A listener of meeting livestream {LivestreamId} failed")]
        public static partial void ListenerFailed(ILogger logger, Exception exception, string livestreamId);
    }
}
