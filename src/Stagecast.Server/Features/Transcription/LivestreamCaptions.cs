using Stagecast.Hls;
using Stagecast.Server.Features.MediaPlane;
using Stagecast.Server.Features.MeetingLivestreams;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// The live transcript as the subtitles of a livestream (docs/ai.md): with a speech engine loaded, the HLS output of
/// every meeting livestream, and of every independent livestream that asks for captions (<c>transcription_enabled</c>),
/// carries an English timed text track from its start. In a meeting's, each line heard (<see cref="LiveTranscripts"/>,
/// of a peer whose preset has <c>transcription_enabled</c>) becomes a cue, placed by when it was said; in an independent
/// one's, each line heard of its own audio (<see cref="LivestreamAudioCaptions"/>). With the engine off no stream
/// carries a track and the playlists stay as they were.
/// </summary>
public sealed class LivestreamCaptions(SpeechEngine engine, MeetingLivestreamRegistry livestreams, CaptionRequests requests, HlsStreamRegistry hls) : ITimedTextSource
{
    /// <summary>The track's name and language: the engines recognise English (PocketSphinx's en-us, whisper's *.en models).</summary>
    public static readonly TimedTextTrack Track = new("English", "en");

    public TimedTextTrack? TrackOf(string streamId) => engine.Recognizer is not null && (livestreams.IsActive(streamId) || Asks(streamId)) ? Track : null;

    /// <summary>Whether the independent livestream publishing as <paramref name="streamId"/> asks for captions (<see cref="CaptionRequests"/>).</summary>
    public bool Asks(string streamId) => requests.Asks(streamId);

    /// <summary>The app of a livestream that asks for captions (null when it does not).</summary>
    public string? AppOf(string streamId) => requests.AppOf(streamId);

    /// <summary>Captions <paramref name="line"/> in the livestream of <paramref name="meetingId"/>, if it has one packaged here.</summary>
    public void Add(string meetingId, TranscriptLine line)
    {
        if (livestreams.ForMeeting(meetingId) is { } active)
        {
            Add(active.LivestreamId, new TimedTextCue(line.StartedAt, line.EndedAt, line.Text, line.Name));
        }
    }

    /// <summary>Captions stream <paramref name="streamId"/>, if it is packaged here.</summary>
    public void Add(string streamId, TimedTextCue cue)
    {
        if (hls.TryGet(streamId, out var stream))
        {
            stream.AddCue(cue);
        }
    }
}
