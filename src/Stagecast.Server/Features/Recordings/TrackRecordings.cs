using Stagecast.Recording;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Recordings;

/// <summary>
/// <c>POST /recordings/track</c>: each source a participant publishes now, recorded as it came, one file per track
/// (VP8 and Opus in WebM, H.264 in MP4, all written in process). RECORDING at once; listed on the recording as
/// <c>tracks</c> when stopped.
/// </summary>
public sealed class TrackRecordings(
    RecordingService recordings,
    MeetingRooms rooms,
    MeetingMediaService media,
    MeetingMediaHub tracks,
    TimeProvider time,
    ILogger<TrackRecordings> logger)
{
    public async Task<Recording> StartAsync(Meeting meeting)
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
        string directory = Path.Combine(recordings.Directory, id);
        var running = new TrackRecording(record, time);
        await running.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            recordings.Admit(running, multiple: false);
            try
            {
                Directory.CreateDirectory(directory);
                foreach (var (peer, source) in sources)
                {
                    if (tracks.Hub.Find(new MeetingStreamKey(meeting.Id, peer.Id, source).HubId) is { } stream)
                    {
                        running.Tracks.Add(new TrackRecorder(stream, peer.Id, source == MediaSource.Camera ? "camera" : "screenshare", directory, time, logger));
                    }
                }

                await recordings.SaveAsync(record with { Status = RecordingStatus.Invoked, StartedTime = null }, create: true).ConfigureAwait(false);
                await recordings.SaveAsync(record, create: false).ConfigureAwait(false);
            }
            catch
            {
                await recordings.ForgetAsync(running).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            running.Gate.Release();
        }

        RecordingLog.Started(logger, id, meeting.Id, "TRACKS");
        return record;
    }
}
