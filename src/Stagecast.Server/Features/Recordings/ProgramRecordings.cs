using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Programs;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Recordings;

/// <summary>
/// Meeting recordings (RealtimeKit's recordings API): a recording takes the meeting's program (the compositor's, in
/// the program hub), is <c>INVOKED</c> until the program's first keyframe is written, then <c>RECORDING</c> (or
/// <c>PAUSED</c>), and on stop is finished into an MP4 in the data directory and <c>UPLOADED</c> (stored and
/// downloadable), or <c>ERRORED</c> with the reason. A meeting with <c>record_on_start</c> records each session.
/// </summary>
public sealed class ProgramRecordings(
    RecordingService recordings,
    MeetingPrograms programs,
    MeetingRooms rooms,
    RecordingStorage storage,
    TimeProvider time,
    ILogger<ProgramRecordings> logger) : IHubStreamObserver
{
    public async Task<Recording> StartAsync(Meeting meeting, StartRecordingRequest request, string startReason)
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
        Directory.CreateDirectory(recordings.Directory);
        var running = new StreamRecording(record, recordings, time);
        // Held until INVOKED is saved: the recorder's first keyframe (RECORDING) is saved after it, never before.
        await running.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            recordings.Admit(running, request.AllowMultipleRecordings);
            try
            {
                await programs.AdmitAsync(meeting.AppId, meeting.Id, CancellationToken.None).ConfigureAwait(false);
                await programs.AcquireProgramStreamAsync(meeting.Id, request.VideoConfig?.Width, request.VideoConfig?.Height).ConfigureAwait(false);
                running.ReleaseWhenDisposed(() => programs.ReleaseProgramStreamAsync(meeting.Id));
                await recordings.SaveAsync(record, create: true).ConfigureAwait(false);
            }
            catch
            {
                // Refused (the programs it may run are all running) or not saved: nothing of it is left running.
                await recordings.ForgetAsync(running).ConfigureAwait(false);
                throw;
            }

            if (programs.ProgramHub.Find(meeting.Id) is { State: not HubStreamState.Ended } program)
            {
                running.Start(program);
            }

            if (request.MaxSeconds is { } max)
            {
                running.Limit = time.CreateTimer(_ => _ = recordings.StopAsync(id, "MAX_SECONDS_REACHED"), null, TimeSpan.FromSeconds(max), Timeout.InfiniteTimeSpan);
            }
        }
        finally
        {
            running.Gate.Release();
        }

        RecordingLog.Started(logger, id, meeting.Id, startReason);
        return record;
    }

    /// <summary>A session of a meeting with <c>record_on_start</c> started: its program is recorded (or, if refused, the log says why).</summary>
    public async Task RecordOnStartAsync(Meeting meeting)
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
            RecordingLog.AutoStartSkipped(logger, meeting.Id, ex.Message);
        }
    }

    /// <summary>The meeting's program went live in the program hub: recordings waiting for it start writing.</summary>
    public void OnStreamStarted(HubStream stream)
    {
        foreach (var running in recordings.Running.OfType<StreamRecording>().Where(r => r.Record.MeetingId == stream.Id && r.Record.LivestreamId is null))
        {
            running.Start(stream);
        }
    }
}
