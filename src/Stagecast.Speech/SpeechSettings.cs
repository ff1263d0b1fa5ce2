namespace Stagecast.Speech;

/// <summary>
/// How a source's speech is recognised (a meeting's <c>ai_config.transcription</c>): in which language (whisper's code,
/// <c>en</c>, <c>es</c>, ..., or <c>auto</c> for whisper to tell from each utterance), with which words to expect
/// (whisper's initial prompt: names, jargon; null for none) and whether swear words are masked.
/// </summary>
public sealed record SpeechSettings(string Language, string? Prompt = null, bool ProfanityFilter = false)
{
    /// <summary>What a language names whisper's detection: RealtimeKit's <c>multi</c>.</summary>
    public const string AutoDetect = "auto";

    public static SpeechSettings English { get; } = new("en");
}
