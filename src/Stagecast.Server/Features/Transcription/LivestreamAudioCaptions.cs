using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
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
    IOptions<TranscriptionOptions> options,
    TimeProvider time,
    ILogger<LivestreamAudioCaptions> logger) : IHubStreamObserver, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Listening> _listening = new(StringComparer.Ordinal);
    private readonly Lock _admission = new();
    private long _refused;

    /// <summary>Livestreams that asked for captions and went out without, past the server's or their app's quota.</summary>
    public long Refused => Interlocked.Read(ref _refused);

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

        var listening = new Listening(captions.AppOf(stream.Id) ?? "");
        if (Refusal(listening.AppId) is { } refusal)
        {
            Interlocked.Increment(ref _refused);
            LogRefused(stream.Id, refusal);
            return;
        }

        Action<Utterance, DateTimeOffset> heard = (utterance, began) => transcripts.Queue(new StreamUtterance(stream.Id, utterance, began, listening.Share, Caption));
        if (stream.RtpAudio is { EncodingName: var codec } && codec.Equals("opus", StringComparison.OrdinalIgnoreCase))
        {
            listening.Opus = new SpeechListener(stream, heard, time);
        }
        else
        {
            listening.Aac = new AacSpeechListener(stream, ffmpeg, heard, time, logger);
        }

        if (TryAdd(stream.Id, listening))
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

    /// <summary>Why one more livestream of <paramref name="appId"/> is not captioned (past a quota), or null.</summary>
    private string? Refusal(string appId)
    {
        var settings = options.Value;
        lock (_admission)
        {
            return _listening.Count >= settings.MaxCaptionedLivestreams
                ? $"this server captions {settings.MaxCaptionedLivestreams} livestreams at most (Stagecast:Transcription:MaxCaptionedLivestreams)"
                : _listening.Values.Count(l => l.AppId == appId) >= settings.MaxCaptionedLivestreamsPerApp
                    ? $"its app has {settings.MaxCaptionedLivestreamsPerApp} captioned livestreams live, the most one app may (Stagecast:Transcription:MaxCaptionedLivestreamsPerApp)"
                    : null;
        }
    }

    /// <summary>Adds a stream's listening unless the stream has one, or the quotas filled meanwhile (counted and added in one step).</summary>
    private bool TryAdd(string streamId, Listening listening)
    {
        lock (_admission)
        {
            return Refusal(listening.AppId) is null && _listening.TryAdd(streamId, listening);
        }
    }

    private void Caption(StreamUtterance job, string text) =>
        captions.Add(job.LivestreamId, new TimedTextCue(job.Began, job.Began + (job.Utterance.End - job.Utterance.Start), text, null));

    /// <summary>A stream listened to: its decoder (one of the two) and its share of the speech queue.</summary>
    private sealed class Listening(string appId) : IAsyncDisposable
    {
        public string AppId { get; } = appId;

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Livestream {LivestreamId} asks for captions (transcription_enabled) and goes out without them: {Refusal}")]
    private partial void LogRefused(string livestreamId, string refusal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Livestream {LivestreamId} asks for captions (transcription_enabled) and this server runs no speech engine: {Problem}; it goes out without them")]
    private partial void LogNoEngine(string livestreamId, string problem);
}
