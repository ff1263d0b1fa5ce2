using System.Text;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// A session's chat as the CSV RealtimeKit exports (RFC 4180 quoting). A cell that a spreadsheet would read as a
/// formula (it starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return) gets a leading
/// <c>'</c>, as OWASP advises against CSV injection: names and messages are what participants typed. A file message's
/// payload is as the front ends show it (<see cref="ChatFiles.Shown"/>): its download link, signed for a day.
/// </summary>
public static class ChatCsv
{
    public const string Header = "id,participantId,sessionId,meetingId,displayName,pinned,isEdited,payloadType,payload,createdAt";

    public static string Write(IEnumerable<ChatMessage> messages, ChatFiles files)
    {
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var m in messages)
        {
            string[] fields =
            [
                m.Id, m.ParticipantId, m.SessionId, m.MeetingId, m.DisplayName ?? "", m.Pinned ? "true" : "false", m.IsEdited ? "true" : "false",
                m.PayloadType, files.Shown(m), ApiJson.Format(m.CreatedAt),
            ];
            csv.AppendJoin(',', fields.Select(Quote)).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>A session id as it may stand in a file name (ids are UUIDs; anything else is replaced).</summary>
    public static string FileNameOf(string sessionId) =>
        string.Concat(sessionId.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));

    private static string Quote(string field)
    {
        if (field.Length > 0 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            field = "'" + field;
        }

        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
    }
}
