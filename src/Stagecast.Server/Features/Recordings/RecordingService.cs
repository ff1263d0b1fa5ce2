using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Compositor;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Features.Recordings;

/// <summary>
/// Meeting recordings (RealtimeKit's recordings API): a recording takes the meeting's program (the compositor's, in
/// the program hub), is <c>INVOKED</c> until the program's first keyframe is written, then <c>RECORDING</c> (or
/// <c>PAUSED</c>), and on stop is finished into an MP4 in the data directory and <c>UPLOADED</c> (stored and
/// downloadable), or <c>ERRORED</c> with the reason. Every change fires <c>recording.statusUpdate</c>. A session that
/// ends stops its recordings (<c>ALL_PEERS_LEFT</c>); a meeting with <c>record_on_start</c> records each session.
/// </summary>
public sealed partial class RecordingService(
    SqlRecordingStore store,
    MeetingPrograms programs,
    ProgramQuota programQuota,
    MeetingRooms rooms,
    WebhookEvents webhooks,
    DownloadSigner signer,
    RecordingStorage storage,
    PublicUrls urls,
    IOptions<ServerOptions> server,
    IOptions<RecordingsOptions> options,
    IOptions<WebRtcOptions> webRtc,
    IHostApplicationLifetime lifetime,
    Stagecast.Server.Features.MeetingMedia.MeetingMediaService media,
    Stagecast.Server.Features.MeetingMedia.MeetingTracks tracks,
    TimeProvider time,
    ILoggerFactory loggers) : IMeetingSessionObserver, ILiveStreamObserver, ISessionRecordings
{
    public const string DownloadPath = "/downloads/recordings/{recording_id}/{file}";
    private readonly ConcurrentDictionary<string, Active> _active = new(StringComparer.Ordinal);
    private readonly Lock _admission = new();
    private readonly ILogger _logger = loggers.CreateLogger<RecordingService>();

    public string Directory => Path.Combine(server.Value.DataDir, "recordings");

    public string FileOf(Recording recording) => Path.Combine(Directory, recording.Id + ".mp4");

    public async Task<RecordingDto> StartAsync(Meeting meeting, StartRecordingRequest request, string startReason)
    {
        string sessionId = rooms.Find(meeting.Id)?.SessionId ?? throw ApiException.Conflict($"meeting {meeting.Id} has no active session to record");
        var target = request.StorageConfig?.ToTarget();
        if (target is not null && await storage.CheckAsync(target, CancellationToken.None).ConfigureAwait(false) is { } refusal)
        {
            throw ApiException.BadRequest(refusal);
        }

        string id = Guid.NewGuid().ToString();
        string prefix = string.Concat((request.FileNamePrefix ?? "recording").Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
        var record = new Recording(id, meeting.AppId, meeting.Id, null, sessionId, RecordingStatus.Invoked, time.GetUtcNow(), null, null,
            $"{(prefix.Length > 0 ? prefix : "recording")}-{id}.mp4", null, null, startReason, null, request.MaxSeconds, null,
            target is null ? null : storage.Seal(target));
        System.IO.Directory.CreateDirectory(Directory);
        var active = new Active(record, ofTracks: false);
        // Held until INVOKED is saved: the recorder's first keyframe (RECORDING) is saved after it, never before.
        await active.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            Admit(active, request.AllowMultipleRecordings);
            bool acquired = false;
            try
            {
                programQuota.Admit(meeting.AppId, meeting.Id);
                await programs.AcquireProgramStreamAsync(meeting.Id, request.VideoConfig?.Width, request.VideoConfig?.Height).ConfigureAwait(false);
                acquired = true;
                await store.SaveAsync(record, Event(record), create: true).ConfigureAwait(false);
            }
            catch
            {
                // Refused (the app's programs are all running) or not saved: nothing of it is left running.
                _active.TryRemove(id, out _);
                await DisposeRecorderAsync(active).ConfigureAwait(false);
                if (acquired)
                {
                    await programs.ReleaseProgramStreamAsync(meeting.Id).ConfigureAwait(false);
                }

                throw;
            }

            if (programs.ProgramHub.Find(meeting.Id) is { State: not LiveStreamState.Ended } program)
            {
                StartRecorder(active, program);
            }

            if (request.MaxSeconds is { } max)
            {
                active.Limit = time.CreateTimer(_ => _ = StopAsync(id, "MAX_SECONDS_REACHED"), null, TimeSpan.FromSeconds(max), Timeout.InfiniteTimeSpan);
            }
        }
        finally
        {
            active.Gate.Release();
        }

        Log.Started(_logger, id, meeting.Id, startReason);
        return View(record);
    }

    /// <summary>
    /// <c>POST /recordings/track</c>: each source a participant publishes now, recorded as it came, one file per track
    /// (VP8 and Opus in WebM, H.264 in MP4). RECORDING at once; listed on the recording as <c>tracks</c> when stopped.
    /// </summary>
    public async Task<RecordingDto> StartTracksAsync(Meeting meeting)
    {
        var room = rooms.Find(meeting.Id);
        string sessionId = room?.SessionId ?? throw ApiException.Conflict($"meeting {meeting.Id} has no active session to record");
        var sources = media.Find(room!)?.VisibleSources() ?? [];
        if (sources.Count == 0)
        {
            throw ApiException.Conflict($"nobody publishes in meeting {meeting.Id}");
        }

        string id = Guid.NewGuid().ToString();
        var now = time.GetUtcNow();
        var record = new Recording(id, meeting.AppId, meeting.Id, null, sessionId, RecordingStatus.Recording, now, now, null, $"tracks-{id}", null, null,
            "API_CALL", null, null, null);
        string directory = Path.Combine(Directory, id);
        var active = new Active(record, ofTracks: true);
        await active.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            Admit(active, multiple: false);
            try
            {
                System.IO.Directory.CreateDirectory(directory);
                foreach (var (peer, source) in sources)
                {
                    if (tracks.Hub.Find(Stagecast.Server.Features.MeetingMedia.MeetingTracks.StreamId(meeting.Id, peer.Id, source)) is { } stream)
                    {
                        active.Tracks.Add(new TrackRecorder(stream, peer.Id, source == Stagecast.Server.Features.MeetingMedia.MediaSource.Camera ? "camera" : "screenshare",
                            directory, webRtc.Value.Ffmpeg, time, _logger));
                    }
                }

                await store.SaveAsync(record with { Status = RecordingStatus.Invoked, StartedTime = null }, Event(record with { Status = RecordingStatus.Invoked }),
                    create: true).ConfigureAwait(false);
                await store.SaveAsync(record, Event(record), create: false).ConfigureAwait(false);
            }
            catch
            {
                _active.TryRemove(id, out _);
                await DisposeRecorderAsync(active).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            active.Gate.Release();
        }

        Log.Started(_logger, id, meeting.Id, "TRACKS");
        return View(record);
    }

    /// <summary>
    /// Takes a meeting recording in, or refuses it: one track recording per meeting (a second would record the same
    /// tracks), program recordings up to <see cref="RecordingsOptions.MaxPerMeeting"/> (one unless several were asked
    /// for), and an app's meeting recordings up to <see cref="RecordingsOptions.MaxPerApp"/>. Counted and added in one
    /// step, so requests that arrive together cannot all pass.
    /// </summary>
    private void Admit(Active active, bool multiple)
    {
        var record = active.Record;
        var settings = options.Value;
        lock (_admission)
        {
            var meetings = _active.Values.Where(a => a.Record.LivestreamId is null).ToList();
            var sameMeeting = meetings.Where(a => a.Record.MeetingId == record.MeetingId && a.OfTracks == active.OfTracks).ToList();
            if (active.OfTracks && sameMeeting.Count > 0)
            {
                throw ApiException.Conflict($"meeting {record.MeetingId} already has a track recording; stop it first");
            }

            if (!active.OfTracks && sameMeeting.Count > 0 && !multiple)
            {
                throw ApiException.Conflict($"meeting {record.MeetingId} is already being recorded");
            }

            if (!active.OfTracks && sameMeeting.Count >= settings.MaxPerMeeting)
            {
                throw new DomainException(DomainError.TooMany,
                    $"meeting {record.MeetingId} already has {sameMeeting.Count} recordings running, the most this server allows at once; stop one first");
            }

            if (meetings.Count(a => a.Record.AppId == record.AppId) >= settings.MaxPerApp)
            {
                throw new DomainException(DomainError.TooMany,
                    $"this app already has {settings.MaxPerApp} meeting recordings running, the most this server allows at once; stop one first");
            }

            _active[record.Id] = active;
        }
    }

    /// <summary>Deletes a recording's files here: its program file, or its tracks' folder.</summary>
    public void DeleteFiles(string id)
    {
        File.Delete(Path.Combine(Directory, id + ".mp4"));
        if (System.IO.Directory.Exists(Path.Combine(Directory, id)))
        {
            System.IO.Directory.Delete(Path.Combine(Directory, id), recursive: true);
        }
    }

    /// <summary>Where a recording's file of that name is: its program file, or one of its tracks.</summary>
    public string? PathOf(Recording recording, string file) =>
        recording.OutputFileName == file ? FileOf(recording)
        : recording.Tracks?.Any(t => t.FileName == file) == true ? Path.Combine(Directory, recording.Id, file)
        : null;

    /// <summary>
    /// Records a livestream session (its livestream's recording mode is automatic) from where <paramref name="reader"/>
    /// (added when the stream started, and now the recorder's) begins.
    /// </summary>
    public async Task StartLivestreamAsync(Livestream livestream, string? sessionId, LiveStream stream, LiveStreamReader reader)
    {
        string id = Guid.NewGuid().ToString();
        var record = new Recording(id, livestream.AppId, livestream.MeetingId, livestream.Id, sessionId, RecordingStatus.Invoked, time.GetUtcNow(), null, null,
            $"{(string.IsNullOrEmpty(livestream.Name) ? "livestream" : livestream.Name)}-{id}.mp4", null, null, "AUTOMATIC", null, null, null);
        System.IO.Directory.CreateDirectory(Directory);
        var active = new Active(record, ofTracks: false);
        _active[id] = active;
        await store.SaveAsync(record, Event(record), create: true).ConfigureAwait(false);
        StartRecorder(active, stream, reader);
        Log.Started(_logger, id, livestream.Id, "AUTOMATIC");
    }

    /// <summary>A livestream's stream ended (its session with it): its recordings are finished.</summary>
    public async Task StopLivestreamAsync(string livestreamId)
    {
        foreach (var active in _active.Values.Where(a => a.Record.LivestreamId == livestreamId).ToList())
        {
            await StopAsync(active.Record.Id, "STREAM_ENDED").ConfigureAwait(false);
        }
    }

    public async Task<object?> ForSessionAsync(string appId, string sessionId, CancellationToken cancellationToken) =>
        await store.FindBySessionAsync(appId, sessionId, cancellationToken).ConfigureAwait(false) is { } recording ? View(recording) : null;

    /// <summary>
    /// Stops a recording and finishes its file; null when it is not active. One to be uploaded is answered
    /// <c>UPLOADING</c> and uploaded in the background. Whatever fails, nothing of it keeps running: its writers are
    /// let go and the meeting's program is released (it stops when nothing else needs it).
    /// </summary>
    public async Task<Recording?> StopAsync(string id, string reason)
    {
        if (!_active.TryRemove(id, out var active))
        {
            return null;
        }

        await active.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (active.Limit is { } limit)
            {
                await limit.DisposeAsync().ConfigureAwait(false);
            }

            var record = active.OfTracks ? await FinishTracksAsync(active, reason).ConfigureAwait(false) : await FinishProgramAsync(active, reason).ConfigureAwait(false);
            active.Record = record;
            await store.SaveAsync(record, Event(record), create: false).ConfigureAwait(false);
            Log.Stopped(_logger, id, reason, record.Status.Name());
            if (record.Status == RecordingStatus.Uploading)
            {
                StartUpload(record);
            }

            return record;
        }
        finally
        {
            await DisposeRecorderAsync(active).ConfigureAwait(false);
            if (!active.OfTracks && active.Record.LivestreamId is null)
            {
                await programs.ReleaseProgramStreamAsync(active.Record.MeetingId!).ConfigureAwait(false);
            }

            active.Gate.Release();
        }
    }

    private async Task<Recording> FinishTracksAsync(Active active, string reason)
    {
        var recorded = new List<RecordedTrack>();
        foreach (var track in active.Tracks)
        {
            recorded.AddRange(await track.FinishAsync().ConfigureAwait(false));
        }

        var ended = time.GetUtcNow();
        var record = active.Record;
        return record with
        {
            Status = recorded.Count > 0 ? RecordingStatus.Uploaded : RecordingStatus.Errored, StoppedTime = ended, StopReason = reason, Tracks = recorded,
            FileSize = recorded.Sum(t => t.FileSize ?? 0), Duration = Math.Round((ended - record.StartedTime!.Value).TotalSeconds, 3),
            Error = recorded.Count > 0 ? null : "no track carried media",
        };
    }

    /// <summary>UPLOADED (or UPLOADING, when it goes to a storage) once the file is finished; ERRORED when it could not be.</summary>
    private async Task<Recording> FinishProgramAsync(Active active, string reason)
    {
        var record = active.Record;
        var recorder = active.Recorder;
        // A writer that failed (a full disk) makes the recording ERRORED even if what it wrote could be finished.
        bool finished = recorder is not null && await recorder.FinishAsync(FileOf(record)).ConfigureAwait(false) && recorder.Error is null;
        var now = time.GetUtcNow();
        return finished
            ? record with
            {
                Status = record.SealedStorage is null ? RecordingStatus.Uploaded : RecordingStatus.Uploading, StoppedTime = now, StopReason = reason,
                FileSize = new FileInfo(FileOf(record)).Length, Duration = Math.Round(recorder!.Seconds, 3),
            }
            : record with
            {
                Status = RecordingStatus.Errored, StoppedTime = now, StopReason = reason, Error = recorder?.Error ?? "the meeting's program never started",
            };
    }

    /// <summary>Lets a recording's writers go (ffmpeg children killed if still running); safe to call again.</summary>
    private static async Task DisposeRecorderAsync(Active active)
    {
        StreamRecorder? recorder;
        lock (active)
        {
            recorder = active.Recorder;
        }

        if (recorder is not null)
        {
            await recorder.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var track in active.Tracks)
        {
            await track.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task<Recording?> PauseAsync(string id, bool pause)
    {
        if (!_active.TryGetValue(id, out var active))
        {
            return null;
        }

        await active.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var wanted = pause ? RecordingStatus.Paused : RecordingStatus.Recording;
            if (active.Record.Status == wanted)
            {
                return active.Record;
            }

            if (active.Record.Status == RecordingStatus.Invoked)
            {
                throw ApiException.Conflict("the recording has not started yet");
            }

            if (active.Tracks.Count > 0)
            {
                throw ApiException.Conflict("a track recording cannot be paused; stop it");
            }

            if (pause)
            {
                active.Recorder?.Pause();
            }
            else
            {
                active.Recorder?.Resume();
            }

            active.Record = active.Record with { Status = wanted };
            await store.SaveAsync(active.Record, Event(active.Record), create: false).ConfigureAwait(false);
            return active.Record;
        }
        finally
        {
            active.Gate.Release();
        }
    }

    public Recording? ActiveFor(string meetingId) => _active.Values.Select(a => a.Record).Where(r => r.MeetingId == meetingId).MinBy(r => r.InvokedTime);

    /// <summary>The recording as the API shows it: a live one as it is now; a download link (an hour) once stored.</summary>
    public RecordingDto View(Recording recording)
    {
        if (_active.TryGetValue(recording.Id, out var active))
        {
            recording = active.Record with
            {
                Duration = active.Tracks.Count > 0 && active.Record.StartedTime is { } began
                    ? Math.Round((time.GetUtcNow() - began).TotalSeconds, 3)
                    : Math.Round(active.Recorder?.Seconds ?? 0, 3),
            };
        }

        string? download = null;
        DateTimeOffset? expiry = null;
        if (recording.Status == RecordingStatus.Uploaded && recording.StorageKey is { } key && recording.SealedStorage is { } sealedTarget)
        {
            expiry = time.GetUtcNow() + DownloadSigner.Lifetime;
            download = storage.SignedUrl(storage.Unseal(sealedTarget), key, expiry.Value);
        }
        else if (recording.Status == RecordingStatus.Uploaded)
        {
            string path = DownloadPath.Replace("{recording_id}", recording.Id, StringComparison.Ordinal).Replace("{file}", recording.OutputFileName, StringComparison.Ordinal);
            var (query, expires) = signer.Sign(path);
            (download, expiry) = ($"{urls.HttpBase}{path}?{query}", expires);
        }

        var trackViews = recording.Status == RecordingStatus.Uploaded && recording.Tracks is { } recorded
            ? recorded.Select(t =>
            {
                string path = DownloadPath.Replace("{recording_id}", recording.Id, StringComparison.Ordinal).Replace("{file}", t.FileName, StringComparison.Ordinal);
                return new RecordedTrackDto(t.PeerId, t.Source, t.Kind, t.Codec, t.FileName, t.FileSize, $"{urls.HttpBase}{path}?{signer.Sign(path).Query}");
            }).ToList()
            : null;
        return RecordingDto.From(recording, recording.Tracks is null ? download : null, recording.Tracks is null ? expiry : null) with { Tracks = trackViews };
    }

    public async Task OnSessionStartedAsync(Meeting meeting, string sessionId)
    {
        if (!meeting.RecordOnStart)
        {
            return;
        }

        try
        {
            await StartAsync(meeting, new StartRecordingRequest(), "RECORD_ON_START").ConfigureAwait(false);
        }
        catch (ApiException ex)
        {
            Log.AutoStartSkipped(_logger, meeting.Id, ex.Message);
        }
    }

    public async Task OnSessionEndedAsync(Meeting meeting, string sessionId)
    {
        foreach (var active in _active.Values.Where(a => a.Record.SessionId == sessionId).ToList())
        {
            await StopAsync(active.Record.Id, "ALL_PEERS_LEFT").ConfigureAwait(false);
        }
    }

    /// <summary>The meeting's program went live in the program hub: recordings waiting for it start writing.</summary>
    public void OnStreamStarted(LiveStream stream)
    {
        foreach (var active in _active.Values.Where(a => a.Record.MeetingId == stream.Id && a.Record.LivestreamId is null))
        {
            StartRecorder(active, stream);
        }
    }

    private void StartRecorder(Active active, LiveStream program, LiveStreamReader? reader = null)
    {
        StreamRecorder recorder;
        lock (active)
        {
            if (active.Recorder is not null || !_active.ContainsKey(active.Record.Id))
            {
                reader?.Dispose();
                return;
            }

            recorder = new StreamRecorder(program, FileOf(active.Record) + ".part", webRtc.Value.Ffmpeg, _logger, reader);
            active.Recorder = recorder;
        }

        recorder.Start();
        _ = FollowAsync(active, recorder);
    }

    /// <summary>RECORDING at the first keyframe written; ERRORED (and stopped) if writing fails.</summary>
    private async Task FollowAsync(Active active, StreamRecorder recorder)
    {
        var first = await Task.WhenAny(recorder.Started.Task, recorder.Completion).ConfigureAwait(false);
        if (first == recorder.Started.Task)
        {
            await active.Gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (_active.ContainsKey(active.Record.Id) && active.Record.Status == RecordingStatus.Invoked)
                {
                    active.Record = active.Record with { Status = RecordingStatus.Recording, StartedTime = time.GetUtcNow() };
                    await store.SaveAsync(active.Record, Event(active.Record), create: false).ConfigureAwait(false);
                }
            }
            finally
            {
                active.Gate.Release();
            }

            await recorder.Completion.ConfigureAwait(false);
        }

        if (recorder.Error is not null && _active.ContainsKey(active.Record.Id))
        {
            await StopAsync(active.Record.Id, "ERROR").ConfigureAwait(false);
        }
    }

    private OutboxEvent Event(Recording r) => webhooks.Create(r.AppId, WebhookEventNames.RecordingStatusUpdate, id => new RecordingWebhookBody(
        WebhookEventNames.RecordingStatusUpdate,
        id,
        new RecordingWebhookRecording(
            r.Id, r.Status.Name(), r.MeetingId, r.LivestreamId, r.SessionId, r.InvokedTime, r.StartedTime, r.StoppedTime, r.OutputFileName, r.FileSize,
            r.Duration, r.StartReason, r.StopReason, r.Error),
        r.MeetingId is { } meetingId ? new WebhookMeetingRef(meetingId, r.SessionId) : null),
        RecordingWebhookJsonContext.Default.RecordingWebhookBody);

    /// <param name="ofTracks">A track recording (one file per track), not of the program.</param>
    private sealed class Active(Recording record, bool ofTracks)
    {
        public Recording Record { get; set; } = record;

        public bool OfTracks { get; } = ofTracks;

        public StreamRecorder? Recorder { get; set; }

        public ITimer? Limit { get; set; }

        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>A track recording's recorders (empty for a program recording).</summary>
        public List<TrackRecorder> Tracks { get; } = [];
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Recording {RecordingId} of meeting {MeetingId} started ({Reason})")]
        public static partial void Started(ILogger logger, string recordingId, string meetingId, string reason);

        [LoggerMessage(2, LogLevel.Information, "Recording {RecordingId} stopped ({Reason}): {Status}")]
        public static partial void Stopped(ILogger logger, string recordingId, string reason, string status);

        [LoggerMessage(4, LogLevel.Warning, "Uploading recording {RecordingId} failed: {Reason}")]
        public static partial void UploadFailed(ILogger logger, string recordingId, string reason);

        [LoggerMessage(5, LogLevel.Error, "Saving the upload of recording {RecordingId} failed; the next start uploads it again")]
        public static partial void UploadNotSaved(ILogger logger, Exception exception, string recordingId);

        [LoggerMessage(6, LogLevel.Information, "The upload of recording {RecordingId} was interrupted by the shutdown; the next start uploads it again")]
        public static partial void UploadInterrupted(ILogger logger, Exception exception, string recordingId);

        [LoggerMessage(3, LogLevel.Information, "Meeting {MeetingId} records on start, but its recording was not started: {Reason}")]
        public static partial void AutoStartSkipped(ILogger logger, string meetingId, string reason);
    }
}
