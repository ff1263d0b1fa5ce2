using System.Collections.Concurrent;
using Stagecast.Hls;
using Stagecast.Server.Features.MediaPlane;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Rooms;
using Stagecast.Speech;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// The live transcript as the subtitles of a livestream (docs/ai.md): with a speech engine loaded, the HLS output of
/// every meeting livestream, and of every independent livestream that asks for captions (<c>transcription_enabled</c>),
/// carries a timed text track from its start, in the meeting's language (<c>ai_config.transcription.language</c>, the
/// server's <c>Stagecast:Transcription:Language</c> when it names none, and always for an independent livestream).
/// In a meeting's, each line heard (<see cref="LiveTranscripts"/>,
/// of a peer whose preset has <c>transcription_enabled</c>) becomes a cue, placed by when it was said; in an independent
/// one's, each line heard of its own audio (<see cref="LivestreamAudioCaptions"/>). With the engine off no stream
/// carries a track and the playlists stay as they were.
/// </summary>
public sealed class LivestreamCaptions(SpeechEngine engine, MeetingLivestreamRegistry livestreams, MeetingRooms rooms, CaptionRequests requests)
    : ITimedTextSource, IHubStreamObserver
{
    // The livestreams' hub streams that carry captions, followed as the hub tells (the hub is not asked: its observers,
    // among them this one, are made with it).
    private readonly ConcurrentDictionary<string, HubStream> _captioned = new(StringComparer.Ordinal);

    public void OnStreamStarted(HubStream stream)
    {
        if (TrackOf(stream.Id) is not null)
        {
            _captioned[stream.Id] = stream;
        }
    }

    public void OnStreamEnded(HubStream stream) => _captioned.TryRemove(new KeyValuePair<string, HubStream>(stream.Id, stream));

    public TimedTextTrack? TrackOf(string streamId)
    {
        if (engine.Recognizer is null)
        {
            return null;
        }

        if (livestreams.TryGet(streamId, out var active))
        {
            var transcription = rooms.Find(active.MeetingId) is { } room ? AiTranscription.Of(room.Meeting.AiConfig) : AiTranscription.Default;
            return transcription.Language is { } language ? Track(language, transcription.Tag!) : Track(engine.DefaultLanguage, engine.DefaultLanguage);
        }

        return Asks(streamId) ? Track(engine.DefaultLanguage, engine.DefaultLanguage) : null;
    }

    /// <summary>Whether the independent livestream publishing as <paramref name="streamId"/> asks for captions (<see cref="CaptionRequests"/>).</summary>
    public bool Asks(string streamId) => requests.Asks(streamId);

    /// <summary>The app of a livestream that asks for captions (null when it does not).</summary>
    public string? AppOf(string streamId) => requests.AppOf(streamId);

    /// <summary>
    /// The track of whisper's language <paramref name="language"/> (named in English: <c>Spanish</c>), tagged as the meeting
    /// tagged it (<c>es-MX</c>); utterances in many languages (<c>multi</c>) are RFC 5646's <c>mul</c>.
    /// </summary>
    private static TimedTextTrack Track(string language, string tag) =>
        language == SpeechSettings.AutoDetect ? new("Multiple languages", "mul") : new(SpeechLanguages.NameOf(language), tag);

    /// <summary>
    /// Captions <paramref name="line"/> in the livestream of <paramref name="meetingId"/>, if it has one packaged here,
    /// and tells its room (whose program carries it to the meeting's recordings).
    /// </summary>
    public void Add(string meetingId, TranscriptLine line)
    {
        var cue = new TimedTextCue(line.StartedAt, line.EndedAt, line.Text, line.Name);
        if (livestreams.ForMeeting(meetingId) is { } active)
        {
            Add(active.LivestreamId, cue);
        }

        rooms.Find(meetingId)?.Captioned(cue);
    }

    /// <summary>
    /// Captions stream <paramref name="streamId"/>, if it is live here with captions: a timed text frame of its hub
    /// stream, which every reader of the stream gets beside its media (the LL-HLS packager makes it a WebVTT cue).
    /// </summary>
    public void Add(string streamId, TimedTextCue cue)
    {
        if (_captioned.TryGetValue(streamId, out var stream))
        {
            stream.WriteTimedText(cue);
        }
    }
}
