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
    /// (whisper.cpp through Whisper.net, with the model <see cref="WhisperModel"/> names).
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = EngineMessage)]
    [RegularExpression("none|pocketsphinx|whisper", ErrorMessage = EngineMessage)]
    public string Engine { get; set; } = "none";

    /// <summary>The whisper.cpp model file (<c>ggml-base.en.bin</c>, ...) for <c>whisper</c>.</summary>
    public string? WhisperModel { get; set; }

    /// <summary>PocketSphinx's acoustic model, language model and dictionary directory (Debian's by default).</summary>
    public string PocketSphinxModel { get; set; } = "/usr/share/pocketsphinx/model/en-us";

    /// <summary>The language whisper listens for (an ISO 639-1 code).</summary>
    public string Language { get; set; } = "en";
}
