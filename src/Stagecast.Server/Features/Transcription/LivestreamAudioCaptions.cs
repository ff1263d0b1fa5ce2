using System.Collections.Concurrent;
using Stagecast.FfmpegProcesses;
using Stagecast.Hls;
using Stagecast.Speech;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// Captions of an independent livestream's own audio (docs/ai.md): while the speech engine runs, the stream of each
/// livestream that asks (<c>transcription_enabled</c>) is listened to once its tracks are known, its audio decoded once
/// (a WHIP publisher's Opus in process by a <see cref="SpeechListener"/>; RTMP's and SRT's AAC by one ffmpeg, an
/// <see cref="AacSpeechListener"/>) and cut at pauses; the utterances wait in the server's one speech queue
/// (<see cref="LiveTranscripts"/>, within the livestream's share of it) and what is heard becomes a cue of the
/// stream's subtitles (<see cref="LivestreamCaptions"/>), placed by when it was said. The listener stops with the
/// stream. With the engine off nothing is decoded, and a livestream that asks is told so in the log.
/// </summary>
public sealed partial class LivestreamAudioCaptions(
    SpeechEngine engine,
    LivestreamCaptions captions,
    LiveTranscripts transcripts,
    FfmpegLauncher ffmpeg,
    TimeProvider time,
    ILogger<LivestreamAudioCaptions> logger) : IHubStreamObserver, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Listening> _listening = new(StringComparer.Ordinal);

    /// <summary>The streams listened to now (diagnostics and tests).</summary>
    public IReadOnlyCollection<string> ListeningTo => [.. _listening.Keys];

    /// <summary>The ffmpeg decoding a stream's AAC, if one runs (diagnostics and tests).</summary>
    public int? DecoderOf(string streamId) => _listening.TryGetValue(streamId, out var listening) ? listening.Aac?.ProcessId : null;

    public void OnStreamStarted(HubStream stream)
    {
        if (captions.Asks(stream.Id) && engine.Recognizer is null)
        {
            LogNoEngine(stream.Id, engine.Problem ?? "--transcription-engine is none");
        }
    }

    public void OnTracksKnown(HubStream stream)
    {
        if (engine.Recognizer is null || !captions.Asks(stream.Id) || stream.Audio is null && stream.RtpAudio is null)
        {
            return;
        }

        var listening = new Listening();
        Action<Utterance, DateTimeOffset> heard = (utterance, began) => transcripts.Queue(new StreamUtterance(stream.Id, utterance, began, listening.Share, Caption));
        if (stream.RtpAudio is { EncodingName: var codec } && codec.Equals("opus", StringComparison.OrdinalIgnoreCase))
        {
            listening.Opus = new SpeechListener(stream, heard, time);
        }
        else
        {
            listening.Aac = new AacSpeechListener(stream, ffmpeg, heard, time, logger);
        }

        if (_listening.TryAdd(stream.Id, listening))
        {
            LogListening(stream.Id, listening.Opus is null ? "AAC" : "Opus");
        }
        else
        {
            _ = listening.DisposeAsync().AsTask();
        }
    }

    public void OnStreamEnded(HubStream stream)
    {
        if (_listening.TryRemove(stream.Id, out var listening))
        {
            _ = listening.DisposeAsync().AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _listening.Keys)
        {
            if (_listening.TryRemove(id, out var listening))
            {
                await listening.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void Caption(StreamUtterance job, string text) =>
        captions.Add(job.LivestreamId, new TimedTextCue(job.Began, job.Began + (job.Utterance.End - job.Utterance.Start), text, null));

    /// <summary>A stream listened to: its decoder (one of the two) and its share of the speech queue.</summary>
    private sealed class Listening : IAsyncDisposable
    {
        public QueueShare Share { get; } = new();

        public SpeechListener? Opus { get; set; }

        public AacSpeechListener? Aac { get; set; }

        public async ValueTask DisposeAsync()
        {
            Opus?.Dispose();
            if (Aac is { } aac)
            {
                await aac.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Captioning livestream {LivestreamId} from its {Codec} audio")]
    private partial void LogListening(string livestreamId, string codec);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Livestream {LivestreamId} asks for captions (transcription_enabled) and this server runs no speech engine: {Problem}; it goes out without them")]
    private partial void LogNoEngine(string livestreamId, string problem);
}
