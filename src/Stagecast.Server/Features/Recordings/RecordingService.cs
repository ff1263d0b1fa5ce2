using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Recordings;

/// <summary>
/// What every kind of recording shares (<see cref="ProgramRecordings"/>, <see cref="LivestreamRecordings"/>,
/// <see cref="TrackRecordings"/>): the recordings running on this node, the quotas they are admitted under, their
/// files in the data directory, their rows saved with their <c>recording.statusUpdate</c> webhook, stop and pause,
/// and the upload of a finished recording to its storage (with what a stopped server left behind, at the next start).
/// </summary>
public sealed partial class RecordingService(
    SqlRecordingStore store,
    WebhookEvents webhooks,
    RecordingStorage storage,
    IOptions<ServerOptions> server,
    IOptions<RecordingsOptions> options,
    IHostApplicationLifetime lifetime,
    MeetingRooms rooms,
    TimeProvider time,
    ILogger<RecordingService> logger)
{
    private readonly ConcurrentDictionary<string, RunningRecording> _running = new(StringComparer.Ordinal);
    private readonly Lock _admission = new();

    public string Directory => Path.Combine(server.Value.DataDir, "recordings");

    /// <summary>The recordings running on this node.</summary>
    public IEnumerable<RunningRecording> Running => _running.Values;

    public string FileOf(Recording recording) => Path.Combine(Directory, recording.Id + ".mp4");

    /// <summary>Where the WebVTT file of a recording's captions is written (once one comes).</summary>
    public string CaptionsOf(Recording recording) => Path.Combine(Directory, recording.Id + ".vtt");

    /// <summary>The media type of a recording's file, by its name: WebM tracks, WebVTT captions, MP4 otherwise.</summary>
    public static string ContentTypeOf(string file) =>
        file.EndsWith(".webm", StringComparison.Ordinal) ? "video/webm" : file.EndsWith(".vtt", StringComparison.Ordinal) ? "text/vtt; charset=utf-8" : "video/mp4";

    /// <summary>The size of a file, null when there is none.</summary>
    public static long? SizeOf(string path) => File.Exists(path) ? new FileInfo(path).Length : null;

    /// <summary>Where a recording's file of that name is: its program file, its captions, or one of its tracks.</summary>
    public string? PathOf(Recording recording, string file) =>
        recording.OutputFileName == file ? FileOf(recording)
        : recording.CaptionsFileSize is not null && recording.CaptionsFileName == file ? CaptionsOf(recording)
        : recording.Tracks?.Any(t => t.FileName == file) == true ? Path.Combine(Directory, recording.Id, file)
        : null;

    /// <summary>Deletes a recording's files here: its program file and captions, or its tracks' folder.</summary>
    public void DeleteFiles(string id)
    {
        File.Delete(Path.Combine(Directory, id + ".mp4"));
        File.Delete(Path.Combine(Directory, id + ".vtt"));
        if (System.IO.Directory.Exists(Path.Combine(Directory, id)))
        {
            System.IO.Directory.Delete(Path.Combine(Directory, id), recursive: true);
        }
    }

    public bool IsRunning(string id) => _running.ContainsKey(id);

    public bool TryGet(string id, out RunningRecording running) => _running.TryGetValue(id, out running!);

    /// <summary>The meeting's earliest recording still running, if any.</summary>
    public Recording? ActiveFor(string meetingId) => _running.Values.Select(r => r.Record).Where(r => r.MeetingId == meetingId).MinBy(r => r.InvokedTime);

    /// <summary>
    /// Takes a meeting recording in, or refuses it: one track recording per meeting (a second would record the same
    /// tracks), program recordings up to <see cref="RecordingsOptions.MaxPerMeeting"/> (one unless several were asked
    /// for), and an app's meeting recordings up to <see cref="RecordingsOptions.MaxPerApp"/>. Counted and added in one
    /// step, so requests that arrive together cannot all pass.
    /// </summary>
    public void Admit(RunningRecording running, bool multiple)
    {
        var record = running.Record;
        var settings = options.Value;
        bool ofTracks = running is TrackRecording;
        lock (_admission)
        {
            var meetings = _running.Values.Where(r => r.Record.LivestreamId is null).ToList();
            var sameMeeting = meetings.Where(r => r.Record.MeetingId == record.MeetingId && (r is TrackRecording) == ofTracks).ToList();
            if (ofTracks && sameMeeting.Count > 0)
            {
                throw ApiException.Conflict($"meeting {record.MeetingId} already has a track recording; stop it first");
            }

            if (!ofTracks && sameMeeting.Count > 0 && !multiple)
            {
                throw ApiException.Conflict($"meeting {record.MeetingId} is already being recorded");
            }

            if (!ofTracks && sameMeeting.Count >= settings.MaxPerMeeting)
            {
                throw new DomainException(DomainError.TooMany,
                    $"meeting {record.MeetingId} already has {sameMeeting.Count} recordings running, the most this server allows at once; stop one first");
            }

            if (meetings.Count(r => r.Record.AppId == record.AppId) >= settings.MaxPerApp)
            {
                throw new DomainException(DomainError.TooMany,
                    $"this app already has {settings.MaxPerApp} meeting recordings running, the most this server allows at once; stop one first");
            }

            _running[record.Id] = running;
        }
    }

    /// <summary>Takes a livestream session's recording in: it follows its ingest, and a refusal would only lose it.</summary>
    public void Add(RunningRecording running) => _running[running.Record.Id] = running;

    /// <summary>A recording refused or not saved as it started: nothing of it is left running.</summary>
    public async Task ForgetAsync(RunningRecording running)
    {
        _running.TryRemove(running.Record.Id, out _);
        await running.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Saves the recording's row with its <c>recording.statusUpdate</c> webhook, in one transaction, and tells the
    /// meeting's room (<see cref="RecordingChanged"/>).
    /// </summary>
    public async Task SaveAsync(Recording record, bool create)
    {
        await store.SaveAsync(record, Event(record), create).ConfigureAwait(false);
        if (record.MeetingId is { } meetingId)
        {
            rooms.Find(meetingId)?.Publish(new RecordingChanged(record));
        }
    }

    /// <summary>A user's <c>stop</c>, <c>pause</c> or <c>resume</c> (the API's and a participant's); null when the recording is not active.</summary>
    public Task<Recording?> ActAsync(string id, string action, string stopReason) => action switch
    {
        "stop" => StopAsync(id, stopReason),
        "pause" => PauseAsync(id, pause: true),
        _ => PauseAsync(id, pause: false),
    };

    /// <summary>
    /// Stops a recording and finishes its files; null when it is not running. One to be uploaded is answered
    /// <c>UPLOADING</c> and uploaded in the background. Whatever fails, nothing of it keeps running: its writers are
    /// let go and what it held (a meeting's program) is released.
    /// </summary>
    public async Task<Recording?> StopAsync(string id, string reason)
    {
        if (!_running.TryRemove(id, out var running))
        {
            return null;
        }

        await running.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (running.Limit is { } limit)
            {
                await limit.DisposeAsync().ConfigureAwait(false);
            }

            var record = await running.FinishAsync(reason).ConfigureAwait(false);
            running.Record = record;
            await SaveAsync(record, create: false).ConfigureAwait(false);
            RecordingLog.Stopped(logger, id, reason, record.Status.Name());
            if (record.Status == RecordingStatus.Uploading)
            {
                StartUpload(record);
            }

            return record;
        }
        finally
        {
            await running.DisposeAsync().ConfigureAwait(false);
            running.Gate.Release();
        }
    }

    /// <summary>Stops every recording of a meeting session that ended (<c>ALL_PEERS_LEFT</c>).</summary>
    public async Task StopSessionAsync(string sessionId)
    {
        foreach (var running in _running.Values.Where(r => r.Record.SessionId == sessionId).ToList())
        {
            await StopAsync(running.Record.Id, "ALL_PEERS_LEFT").ConfigureAwait(false);
        }
    }

    public async Task<Recording?> PauseAsync(string id, bool pause)
    {
        if (!_running.TryGetValue(id, out var running))
        {
            return null;
        }

        await running.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var wanted = pause ? RecordingStatus.Paused : RecordingStatus.Recording;
            if (running.Record.Status == wanted)
            {
                return running.Record;
            }

            if (running.Record.Status == RecordingStatus.Invoked)
            {
                throw ApiException.Conflict("the recording has not started yet");
            }

            running.Pause(pause);
            running.Record = running.Record with { Status = wanted };
            await SaveAsync(running.Record, create: false).ConfigureAwait(false);
            return running.Record;
        }
        finally
        {
            running.Gate.Release();
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
}
