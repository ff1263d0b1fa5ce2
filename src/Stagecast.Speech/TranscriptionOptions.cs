using System.ComponentModel.DataAnnotations;

namespace Stagecast.Speech;

/// <summary>The <c>Stagecast:Transcription</c> section.</summary>
public sealed class TranscriptionOptions
{
    public const string Section = "Stagecast:Transcription";

    private const string EngineMessage = "--transcription-engine must be none, pocketsphinx or whisper";

    /// <summary>
    /// The engine: <c>none</c> (no transcription; nothing changes anywhere), <c>pocketsphinx</c> (CMU PocketSphinx from
    /// Debian's <c>libpocketsphinx3</c> and <c>pocketsphinx-en-us</c>: nothing to download) or <c>whisper</c>
    /// (whisper.cpp through Whisper.net, with the model <see cref="WhisperModel"/> names). Unset, it is
    /// <see cref="ChosenEngine"/>'s choice.
    /// </summary>
    [RegularExpression("none|pocketsphinx|whisper", ErrorMessage = EngineMessage)]
    public string? Engine { get; set; }

    /// <summary>The engine that runs: <see cref="Engine"/> when named, else <c>whisper</c> when a model is named, else <c>none</c>.</summary>
    public string ChosenEngine => string.IsNullOrEmpty(Engine) ? (string.IsNullOrWhiteSpace(WhisperModel) ? "none" : "whisper") : Engine;

    /// <summary>The whisper.cpp model file (<c>ggml-base.en.bin</c>, ...) for <c>whisper</c>.</summary>
    public string? WhisperModel { get; set; }

    /// <summary>PocketSphinx's acoustic model, language model and dictionary directory (Debian's by default).</summary>
    public string PocketSphinxModel { get; set; } = "/usr/share/pocketsphinx/model/en-us";

    /// <summary>
    /// How many utterances may wait for the engine on this server; past it the oldest is dropped (its caption skipped,
    /// logged), so a server that cannot keep up degrades its captions and never falls further behind.
    /// </summary>
    [Range(1, 1000)]
    public int QueueLength { get; set; } = 32;

    /// <summary>How many utterances of one meeting may wait; its next ones are dropped, so one meeting never holds the whole queue.</summary>
    [Range(1, 1000)]
    public int MeetingQueueLength { get; set; } = 8;

    /// <summary>
    /// How many independent livestreams this server captions at once (each decodes its audio, an ffmpeg for AAC, and
    /// shares the speech queue); a livestream past it goes out without captions, logged and counted.
    /// </summary>
    [Range(0, 1000)]
    public int MaxCaptionedLivestreams { get; set; } = 4;

    /// <summary>How many of those one app may have at once, so one app cannot take every other app's captions.</summary>
    [Range(0, 1000)]
    public int MaxCaptionedLivestreamsPerApp { get; set; } = 2;

    /// <summary>
    /// An OpenAI-compatible chat completions API (its base URL, e.g. a local llama.cpp server's
    /// <c>http://127.0.0.1:8080/v1</c> or Ollama's <c>http://127.0.0.1:11434/v1</c>) that writes sessions' summaries;
    /// without one they are extractive, made in process.
    /// </summary>
    public Uri? SummaryEndpoint { get; set; }

    /// <summary>The model the summary endpoint is asked for.</summary>
    public string SummaryModel { get; set; } = "default";

    /// <summary>The summary endpoint's bearer key, if it needs one (never logged).</summary>
    public string? SummaryApiKey { get; set; }

    /// <summary>The language whisper listens for (an ISO 639-1 code).</summary>
    public string Language { get; set; } = "en";
}
