using Stagecast.Recording;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Recordings;

/// <summary>
/// Livestreams whose recording mode is automatic: each session (a stream, reconnects included) is one recording, from
/// its first keyframe to the stream's end (<c>STREAM_ENDED</c>). Not counted against the quotas: a recording follows
/// its ingest, and a refusal would only lose it.
/// </summary>
public sealed class LivestreamRecordings(
    RecordingService recordings,
    ILivestreamStore store,
    LivestreamSessionAccounting sessions,
    TimeProvider time,
    ILogger<LivestreamRecordings> logger) : IHubStreamObserver
{
    /// <summary>
    /// A reader is added at once, before the first frame, and kept while the livestream is looked up: a recording
    /// that starts has the stream from its first keyframe however long the lookup took (otherwise a GOP or more is lost).
    /// </summary>
    public void OnStreamStarted(HubStream stream) => _ = StartAsync(stream, StreamRecorder.AddReader(stream));

    /// <summary>A livestream's stream ended (its session with it): its recordings are finished.</summary>
    public void OnStreamEnded(HubStream stream) => _ = StopAsync(stream.Id);

    private async Task StartAsync(HubStream stream, HubStreamReader reader)
    {
        try
        {
            if (await store.FindLivestreamAsync(stream.Id, CancellationToken.None).ConfigureAwait(false) is { RecordingMode: Livestream.RecordingAutomatic } livestream)
            {
                await RecordAsync(livestream, sessions.FindActive(stream.Id)?.SessionId, stream, reader).ConfigureAwait(false);
                return;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Data.Common.DbException)
        {
            RecordingLog.LivestreamNotStarted(logger, ex, stream.Id);
        }

        reader.Dispose();
    }

    /// <summary>Records a livestream session from where <paramref name="reader"/> (now the recorder's) begins.</summary>
    private async Task RecordAsync(Livestream livestream, string? sessionId, HubStream stream, HubStreamReader reader)
    {
        string id = Guid.NewGuid().ToString();
        var record = new Recording(id, livestream.AppId, livestream.MeetingId, livestream.Id, sessionId, RecordingStatus.Invoked, time.GetUtcNow(), null, null,
            $"{(string.IsNullOrEmpty(livestream.Name) ? "livestream" : livestream.Name)}-{id}.mp4", null, null, "AUTOMATIC", null, null, null);
        Directory.CreateDirectory(recordings.Directory);
        var running = new StreamRecording(record, recordings, time);
        recordings.Add(running);
        await recordings.SaveAsync(record, create: true).ConfigureAwait(false);
        running.Start(stream, reader);
        RecordingLog.Started(logger, id, livestream.Id, "AUTOMATIC");
    }

    private async Task StopAsync(string livestreamId)
    {
        foreach (var running in recordings.Running.Where(r => r.Record.LivestreamId == livestreamId).ToList())
        {
            await recordings.StopAsync(running.Record.Id, "STREAM_ENDED").ConfigureAwait(false);
        }
    }
}
