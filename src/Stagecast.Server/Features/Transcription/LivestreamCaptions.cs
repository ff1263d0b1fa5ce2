using Stagecast.Hls;
using Stagecast.Server.Features.MeetingLivestreams;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// The live transcript as the subtitles of the meeting's livestream (docs/ai.md): with a speech engine loaded, the HLS
/// output of every meeting livestream carries an English timed text track from its start, and each line heard
/// (<see cref="LiveTranscripts"/>, of a peer whose preset has <c>transcription_enabled</c>) becomes a cue in it, placed
/// by when it was said. With the engine off no stream carries a track and the playlists stay as they were.
/// </summary>
public sealed class LivestreamCaptions(SpeechEngine engine, MeetingLivestreamRegistry livestreams, HlsStreamRegistry hls) : ITimedTextSource
{
    /// <summary>The track's name and language: the engines recognise English (PocketSphinx's en-us, whisper's *.en models).</summary>
    public static readonly TimedTextTrack Track = new("English", "en");

    public TimedTextTrack? TrackOf(string streamId) => engine.Recognizer is not null && livestreams.IsActive(streamId) ? Track : null;

    /// <summary>Captions <paramref name="line"/> in the livestream of <paramref name="meetingId"/>, if it has one packaged here.</summary>
    public void Add(string meetingId, TranscriptLine line)
    {
        if (livestreams.ForMeeting(meetingId) is { } active && hls.TryGet(active.LivestreamId, out var stream))
        {
            stream.AddCue(new TimedTextCue(line.StartedAt, line.EndedAt, line.Text, line.Name));
        }
    }
}
