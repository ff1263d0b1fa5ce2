using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Stagecast.Speech;

namespace Stagecast.Server.Features.Meetings;

/// <summary>
/// A meeting's <c>ai_config.transcription</c>, as RealtimeKit defines it: the language spoken (<c>language</c>, a BCP 47
/// tag as RealtimeKit takes it, <c>en-US</c>, <c>es</c>, <c>pt-BR</c>, or <c>multi</c> for each utterance's own; the
/// server's <c>Stagecast:Transcription:Language</c> when left out), words to expect (<c>keywords</c>: names, jargon; up
/// to <see cref="MaxKeywords"/> of up to <see cref="MaxKeywordLength"/> characters) and whether swear words are masked
/// (<c>profanity_filter</c>, false by default). <see cref="Language"/> is whisper's code for the tag.
/// </summary>
public sealed record AiTranscription(string? Tag, string? Language, IReadOnlyList<string> Keywords, bool ProfanityFilter)
{
    public const int MaxKeywords = 100;
    public const int MaxKeywordLength = 100;

    public static AiTranscription Default { get; } = new(null, null, [], false);

    /// <summary>The settings of <paramref name="aiConfig"/> (defaults for what it leaves out; it was checked when stored).</summary>
    public static AiTranscription Of(JsonObject? aiConfig) => Read(aiConfig, problems: null);

    /// <summary>What is wrong with <c>ai_config.transcription</c>, each problem named.</summary>
    public static IEnumerable<ValidationResult> Validate(JsonObject? aiConfig)
    {
        var problems = new List<string>();
        Read(aiConfig, problems);
        return problems.Select(p => new ValidationResult(p));
    }

    /// <summary>How the speech of the meeting is recognised; <paramref name="serverLanguage"/> when it names none.</summary>
    public SpeechSettings Speech(string serverLanguage) =>
        new(Language ?? serverLanguage, Keywords.Count > 0 ? string.Join(", ", Keywords) + "." : null, ProfanityFilter);

    private static AiTranscription Read(JsonObject? aiConfig, List<string>? problems)
    {
        switch (aiConfig?["transcription"])
        {
            case null:
                return Default;
            case JsonObject t:
                string? tag = null;
                string? language = null;
                switch (t["language"])
                {
                    case null:
                        break;
                    case JsonValue v when v.TryGetValue(out string? given) && SpeechLanguages.FromBcp47(given) is { } code:
                        (tag, language) = (given, code);
                        break;
                    default:
                        problems?.Add("\"ai_config.transcription.language\" must be a BCP 47 language tag of a language whisper knows (en-US, es, fr, de, pt-BR, ...) or multi");
                        break;
                }

                return new(tag, language, ReadKeywords(t["keywords"], problems), ReadProfanityFilter(t["profanity_filter"], problems));
            default:
                problems?.Add("\"ai_config.transcription\" must be an object");
                return Default;
        }
    }

    private static string[] ReadKeywords(JsonNode? node, List<string>? problems)
    {
        if (node is null)
        {
            return [];
        }

        if (node is JsonArray { Count: <= MaxKeywords } array
            && array.Select(k => k is JsonValue v && v.TryGetValue(out string? word) ? word : null).ToArray() is var words
            && words.All(w => w is { Length: > 0 and <= MaxKeywordLength } && !w.Any(char.IsControl)))
        {
            return words!;
        }

        problems?.Add($"\"ai_config.transcription.keywords\" must be a list of up to {MaxKeywords} words of 1 to {MaxKeywordLength} characters");
        return [];
    }

    private static bool ReadProfanityFilter(JsonNode? node, List<string>? problems)
    {
        switch (node)
        {
            case null:
                return false;
            case JsonValue v when v.TryGetValue(out bool filter):
                return filter;
            default:
                problems?.Add("\"ai_config.transcription.profanity_filter\" must be true or false");
                return false;
        }
    }
}
