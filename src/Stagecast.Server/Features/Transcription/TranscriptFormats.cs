using System.Globalization;
using System.Text;
using System.Text.Json;
using Stagecast.Media.Hls;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Transcription;

/// <summary>The formats a session's transcript downloads in (<c>?format=</c>), and what each file is.</summary>
public enum TranscriptFormat
{
    Csv,
    Json,
    Srt,
    Vtt,

    /// <summary>A line an utterance as RealtimeKit's SDK reads a transcript (<see cref="TranscriptFormats.SdkLine"/>), no header.</summary>
    Lines,
}

/// <summary>
/// A session's transcript as a file (docs/ai.md): CSV (a header, then a line an utterance: when it began and ended,
/// who said it, the words; <see cref="CsvCells"/>),
/// JSON, SubRip (SRT) and WebVTT subtitles, timed from the session's start, each cue "name: words" (WebVTT: a voice
/// span of the name), and the lines RealtimeKit's SDK reads.
/// </summary>
public static class TranscriptFormats
{
    public const string CsvHeader = "startedAt,endedAt,peerId,userId,customParticipantId,displayName,transcript";

    public static TranscriptFormat? Parse(string? format) => format?.ToUpperInvariant() switch
    {
        null or "" or "CSV" => TranscriptFormat.Csv,
        "JSON" => TranscriptFormat.Json,
        "SRT" => TranscriptFormat.Srt,
        "VTT" => TranscriptFormat.Vtt,
        "LINES" => TranscriptFormat.Lines,
        _ => null,
    };

    public static string Extension(TranscriptFormat format) => format.ToString().ToLowerInvariant();

    public static string ContentType(TranscriptFormat format) => format switch
    {
        TranscriptFormat.Csv => "text/csv; charset=utf-8",
        TranscriptFormat.Json => "application/json; charset=utf-8",
        TranscriptFormat.Srt => "application/x-subrip; charset=utf-8",
        TranscriptFormat.Lines => "text/plain; charset=utf-8",
        _ => "text/vtt; charset=utf-8",
    };

    /// <summary>The transcript <paramref name="lines"/> of session <paramref name="sessionId"/>, which began at <paramref name="origin"/>.</summary>
    public static string Write(TranscriptFormat format, string sessionId, DateTimeOffset origin, IReadOnlyList<TranscriptLine> lines) => format switch
    {
        TranscriptFormat.Csv => Csv(lines),
        TranscriptFormat.Json => Json(sessionId, lines),
        TranscriptFormat.Srt => Srt(origin, lines),
        TranscriptFormat.Lines => string.Concat(lines.Select(l => SdkLine(l, l.PeerId) + "\n")),
        _ => Vtt(origin, lines),
    };

    /// <summary>
    /// A line as RealtimeKit's SDK reads one (a live push, a line of its transcript history): a CSV line (RFC 4180, every
    /// field quoted) of the epoch second it began, the speaker's peer id, participant id, custom participant id, name and
    /// the words.
    /// </summary>
    public static string SdkLine(TranscriptLine line, string peerId)
    {
        string[] fields = [line.StartedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), peerId, line.ParticipantId, line.CustomParticipantId, line.Name,
            OneLine(line.Text)];
        return string.Join(',', fields.Select(f => "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
    }

    private static string Csv(IReadOnlyList<TranscriptLine> lines)
    {
        var csv = new StringBuilder(CsvHeader).Append("\r\n");
        foreach (var l in lines)
        {
            csv.AppendRow([ApiJson.Format(l.StartedAt), ApiJson.Format(l.EndedAt), l.PeerId, l.ParticipantId, l.CustomParticipantId, l.Name, l.Text]);
        }

        return csv.ToString();
    }

    private static string Json(string sessionId, IReadOnlyList<TranscriptLine> lines)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("session_id", sessionId);
            json.WriteStartArray("transcript");
            foreach (var l in lines)
            {
                json.WriteStartObject();
                json.WriteString("id", l.Id);
                json.WriteString("peer_id", l.PeerId);
                json.WriteString("user_id", l.ParticipantId);
                json.WriteString("custom_participant_id", l.CustomParticipantId);
                json.WriteString("name", l.Name);
                json.WriteString("text", l.Text);
                json.WriteString("started_at", ApiJson.Format(l.StartedAt));
                json.WriteString("ended_at", ApiJson.Format(l.EndedAt));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Srt(DateTimeOffset origin, IReadOnlyList<TranscriptLine> lines)
    {
        var srt = new StringBuilder();
        for (int i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            srt.Append(i + 1).Append('\n')
                .Append(SrtTime(l.StartedAt - origin)).Append(" --> ").Append(SrtTime(l.EndedAt - origin)).Append('\n')
                .Append(OneLine(l.Name)).Append(": ").Append(OneLine(l.Text)).Append("\n\n");
        }

        return srt.ToString();
    }

    private static string Vtt(DateTimeOffset origin, IReadOnlyList<TranscriptLine> lines)
    {
        var vtt = new StringBuilder("WEBVTT\n\n");
        foreach (var l in lines)
        {
            vtt.Append(WebVttSegmentWriter.Timestamp(l.StartedAt - origin)).Append(" --> ").Append(WebVttSegmentWriter.Timestamp(l.EndedAt - origin)).Append('\n')
                .Append("<v ").Append(WebVttSegmentWriter.Escape(l.Name)).Append('>').Append(WebVttSegmentWriter.Escape(l.Text)).Append("\n\n");
        }

        return vtt.ToString();
    }

    /// <summary>An SRT cue time: WebVTT's, with a comma before the milliseconds.</summary>
    private static string SrtTime(TimeSpan at) => WebVttSegmentWriter.Timestamp(at).Replace('.', ',');

    /// <summary>A cue's text on one line: a blank line would end the cue early.</summary>
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
