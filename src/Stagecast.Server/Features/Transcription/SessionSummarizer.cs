using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Meetings;
using Stagecast.Speech;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// Writes a session's summary from its transcript: with <see cref="TranscriptionOptions.SummaryEndpoint"/>, the
/// operator's OpenAI-compatible chat completions API (a local llama.cpp server or Ollama: an abstractive summary in the
/// kind and length the meeting's <c>ai_config.summarization</c> asks for); without one, in process
/// (<see cref="ExtractiveSummarizer"/>: the utterances that say most, quoted with their speakers).
/// </summary>
public sealed class SessionSummarizer(IOptions<TranscriptionOptions> options) : IDisposable
{
    /// <summary>How much of a long transcript the model is given (its newest part; a context window is finite).</summary>
    private const int MaxPromptChars = 48_000;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(3) };

    /// <summary>Who writes the summaries: <c>extractive</c>, or the endpoint's model.</summary>
    public string MadeBy => options.Value.SummaryEndpoint is null ? "extractive" : options.Value.SummaryModel;

    public async Task<string> SummarizeAsync(IReadOnlyList<TranscriptLine> lines, AiSummarization settings, CancellationToken cancellationToken) =>
        options.Value.SummaryEndpoint is { } endpoint
            ? await AbstractAsync(endpoint, lines, settings, cancellationToken).ConfigureAwait(false)
            : Extract(lines, settings);

    public void Dispose() => _http.Dispose();

    private static string Extract(IReadOnlyList<TranscriptLine> lines, AiSummarization settings)
    {
        var chosen = ExtractiveSummarizer.Choose([.. lines.Select(l => l.Text)], settings.WordLimit).Select(i => lines[i]).ToList();
        var text = new StringBuilder();
        if (settings.Markdown)
        {
            text.Append("## Summary\n\n");
            foreach (var l in chosen)
            {
                text.Append("- **").Append(l.Name).Append("**: ").Append(l.Text).Append('\n');
            }
        }
        else
        {
            foreach (var l in chosen)
            {
                text.Append(l.Name).Append(": ").Append(l.Text).Append('\n');
            }
        }

        return text.ToString();
    }

    private async Task<string> AbstractAsync(Uri endpoint, IReadOnlyList<TranscriptLine> lines, AiSummarization settings, CancellationToken cancellationToken)
    {
        string transcript = string.Join('\n', lines.Select(l => $"{l.Name}: {l.Text}"));
        if (transcript.Length > MaxPromptChars)
        {
            transcript = transcript[^MaxPromptChars..];
        }

        string instructions = $"You summarise the transcript of a meeting ({settings.SummaryType.Replace('_', ' ')}). Write at most {settings.WordLimit} words, " +
            (settings.Markdown ? "in Markdown" : "in plain text without Markdown") +
            ". Say what was discussed and decided, and who is to do what. The transcript was made by speech recognition and may have wrong words.";
        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("model", options.Value.SummaryModel);
            json.WriteNumber("temperature", 0.2);
            json.WriteStartArray("messages");
            foreach (var (role, said) in new[] { ("system", instructions), ("user", transcript) })
            {
                json.WriteStartObject();
                json.WriteString("role", role);
                json.WriteString("content", said);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/chat/completions"))
        {
            Content = new ByteArrayContent(body.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        if (options.Value.SummaryApiKey is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new SummaryException($"the summary endpoint answered {(int)response.StatusCode}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var answer = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        return answer.RootElement.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
            && choices[0].TryGetProperty("message", out var message) && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
            ? content.GetString()!.Trim()
            : throw new SummaryException("the summary endpoint's answer has no choices[0].message.content");
    }
}

/// <summary>The summary endpoint failed; the message says how (never the key).</summary>
public sealed class SummaryException(string message) : Exception(message);
