using System.Text;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Sessions;

/// <summary>A session's chat as the CSV RealtimeKit exports (RFC 4180 quoting).</summary>
public static class ChatCsv
{
    public const string Header = "id,participantId,sessionId,meetingId,displayName,pinned,isEdited,payloadType,payload,createdAt";

    public static string Write(IEnumerable<ChatMessage> messages)
    {
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var m in messages)
        {
            string[] fields =
            [
                m.Id, m.ParticipantId, m.SessionId, m.MeetingId, m.DisplayName ?? "", m.Pinned ? "true" : "false", m.IsEdited ? "true" : "false",
                m.PayloadType, m.Payload, ApiJson.Format(m.CreatedAt),
            ];
            csv.AppendJoin(',', fields.Select(Quote)).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
