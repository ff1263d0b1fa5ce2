using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;

namespace Stagecast.Server.Features.Meetings;

/// <summary>
/// A meeting's <c>ai_config.summarization</c>, as RealtimeKit defines it: how long a session's summary may be
/// (<c>word_limit</c>, 150 to 1000 words, 500 by default), in which format (<c>text_format</c>: <c>markdown</c>, the
/// default, or <c>plain_text</c>) and of what kind of meeting (<c>summary_type</c>, <c>general</c> by default).
/// </summary>
public sealed record AiSummarization(int WordLimit, string TextFormat, string SummaryType)
{
    public const int MinWords = 150;
    public const int MaxWords = 1000;

    public static readonly IReadOnlyList<string> TextFormats = ["markdown", "plain_text"];

    public static readonly IReadOnlyList<string> SummaryTypes =
        ["general", "team_meeting", "sales_call", "client_check_in", "interview", "daily_standup", "one_on_one_meeting", "lecture", "code_review"];

    public static AiSummarization Default { get; } = new(500, "markdown", "general");

    public bool Markdown => TextFormat == "markdown";

    /// <summary>The settings of <paramref name="aiConfig"/> (defaults for what it leaves out; it was checked when stored).</summary>
    public static AiSummarization Of(JsonObject? aiConfig) => aiConfig?["summarization"] is JsonObject s
        ? new(
            s["word_limit"] is JsonValue w && w.TryGetValue(out int words) ? Math.Clamp(words, MinWords, MaxWords) : Default.WordLimit,
            s["text_format"] is JsonValue f && f.TryGetValue(out string? format) && TextFormats.Contains(format) ? format : Default.TextFormat,
            s["summary_type"] is JsonValue t && t.TryGetValue(out string? type) && SummaryTypes.Contains(type) ? type : Default.SummaryType)
        : Default;

    /// <summary>What is wrong with <c>ai_config.summarization</c>, each problem named.</summary>
    public static IEnumerable<ValidationResult> Validate(JsonObject? aiConfig)
    {
        switch (aiConfig?["summarization"])
        {
            case null:
                yield break;
            case not JsonObject:
                yield return new ValidationResult("\"ai_config.summarization\" must be an object");
                yield break;
            case JsonObject s:
                if (s["word_limit"] is { } w && !(w is JsonValue v && v.TryGetValue(out int words) && words is >= MinWords and <= MaxWords))
                {
                    yield return new ValidationResult($"\"ai_config.summarization.word_limit\" must be a whole number from {MinWords} to {MaxWords}");
                }

                if (s["text_format"] is { } f && !(f is JsonValue fv && fv.TryGetValue(out string? format) && TextFormats.Contains(format)))
                {
                    yield return new ValidationResult($"\"ai_config.summarization.text_format\" must be one of {string.Join(", ", TextFormats)}");
                }

                if (s["summary_type"] is { } t && !(t is JsonValue tv && tv.TryGetValue(out string? type) && SummaryTypes.Contains(type)))
                {
                    yield return new ValidationResult($"\"ai_config.summarization.summary_type\" must be one of {string.Join(", ", SummaryTypes)}");
                }

                break;
        }
    }
}
