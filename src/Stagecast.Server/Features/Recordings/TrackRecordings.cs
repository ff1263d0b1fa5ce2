using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Recordings;

/// <summary>
/// <c>POST /recordings/track</c>: each source participants publish while it runs, recorded as it came, one file per
/// track (VP8 and Opus in WebM, H.264 in MP4, all written in process). It starts in any live session, whether anybody
/// publishes yet or not (as RealtimeKit's does): RECORDING at once, with the sources on the stage now, and each one
/// that starts later as the meeting's router tells of it (<see cref="MeetingMediaService.SourcesChanged"/>); listed on
/// the recording as <c>tracks</c> when stopped.
/// </summary>
public sealed class TrackRecordings
{
    private readonly RecordingService _recordings;
    private readonly MeetingRooms _rooms;
    private readonly MeetingMediaService _media;
    private readonly MeetingMediaHub _tracks;
    private readonly TimeProvider _time;
    private readonly ILogger<TrackRecordings> _logger;

    public TrackRecordings(RecordingService recordings, MeetingRooms rooms, MeetingMediaService media, MeetingMediaHub tracks, TimeProvider time, ILogger<TrackRecordings> logger)
    {
        (_recordings, _rooms, _media, _tracks, _time, _logger) = (recordings, rooms, media, tracks, time, logger);
        media.SourcesChanged += Follow;
    }

    public async Task<Recording> StartAsync(Meeting meeting)
    {
        var room = _rooms.Find(meeting.Id);
        string sessionId = room?.SessionId ?? throw ApiException.Conflict($"meeting {meeting.Id} has no active session to record");
        string id = Guid.NewGuid().ToString();
        var now = _time.GetUtcNow();
        var record = new Recording(id, meeting.AppId, meeting.Id, null, sessionId, RecordingStatus.Recording, now, now, null, $"tracks-{id}", null, null,
            "API_CALL", null, null, null);
        string directory = Path.Combine(_recordings.Directory, id);
        var running = new TrackRecording(record, directory, _tracks.Hub, _time, _logger);
        await running.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _recordings.Admit(running, multiple: false);
            try
            {
                Directory.CreateDirectory(directory);
                running.Follow(meeting.Id, _media.Find(room!)?.VisibleSources() ?? []);
                await _recordings.SaveAsync(record with { Status = RecordingStatus.Invoked, StartedTime = null }, create: true).ConfigureAwait(false);
                await _recordings.SaveAsync(record, create: false).ConfigureAwait(false);
            }
            catch
            {
                await _recordings.ForgetAsync(running).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            running.Gate.Release();
        }

        RecordingLog.Started(_logger, id, meeting.Id, "TRACKS");
        return record;
    }

    /// <summary>A router's sources changed: the track recordings of its meeting take up those that are new.</summary>
    private void Follow(MeetingRouter router)
    {
        foreach (var running in _recordings.Running.OfType<TrackRecording>().Where(r => r.Record.MeetingId == router.MeetingId))
        {
            running.Follow(router.MeetingId, router.VisibleSources());
        }
    }
}
