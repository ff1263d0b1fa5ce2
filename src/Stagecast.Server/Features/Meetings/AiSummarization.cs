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
    public static AiSummarization Of(JsonObject? aiConfig) => Read(aiConfig, problems: null);

    /// <summary>What is wrong with <c>ai_config.summarization</c>, each problem named.</summary>
    public static IEnumerable<ValidationResult> Validate(JsonObject? aiConfig)
    {
        var problems = new List<string>();
        Read(aiConfig, problems);
        return problems.Select(p => new ValidationResult(p));
    }

    /// <summary>The settings, each field checked once: one that is not allowed is named in <paramref name="problems"/> and defaulted.</summary>
    private static AiSummarization Read(JsonObject? aiConfig, List<string>? problems)
    {
        switch (aiConfig?["summarization"])
        {
            case null:
                return Default;
            case JsonObject s:
                return new(
                    Field(s, "word_limit", w => w is >= MinWords and <= MaxWords, Default.WordLimit, $"a whole number from {MinWords} to {MaxWords}", problems),
                    Field(s, "text_format", TextFormats.Contains, Default.TextFormat, $"one of {string.Join(", ", TextFormats)}", problems),
                    Field(s, "summary_type", SummaryTypes.Contains, Default.SummaryType, $"one of {string.Join(", ", SummaryTypes)}", problems));
            default:
                problems?.Add("\"ai_config.summarization\" must be an object");
                return Default;
        }
    }

    private static T Field<T>(JsonObject summarization, string name, Func<T, bool> allowed, T fallback, string expected, List<string>? problems)
        where T : notnull
    {
        switch (summarization[name])
        {
            case null:
                return fallback;
            case JsonValue v when v.TryGetValue(out T? value) && allowed(value):
                return value;
            default:
                problems?.Add($"\"ai_config.summarization.{name}\" must be {expected}");
                return fallback;
        }
    }
}
