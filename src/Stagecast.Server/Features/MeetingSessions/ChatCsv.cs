using System.Text;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// A session's chat as the CSV RealtimeKit exports (<see cref="CsvCells"/>: RFC 4180, formula-like cells defused). A
/// file message's payload is as the front ends show it (<see cref="ChatFiles.Shown"/>): its download link, signed for
/// a day.
/// </summary>
public static class ChatCsv
{
    public const string Header = "id,participantId,sessionId,meetingId,displayName,pinned,isEdited,payloadType,payload,createdAt";

    public static string Write(IEnumerable<ChatMessage> messages, ChatFiles files)
    {
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var m in messages)
        {
            csv.AppendRow(
            [
                m.Id, m.ParticipantId, m.SessionId, m.MeetingId, m.DisplayName ?? "", m.Pinned ? "true" : "false", m.IsEdited ? "true" : "false",
                m.PayloadType, files.Shown(m), ApiJson.Format(m.CreatedAt),
            ]);
        }

        return csv.ToString();
    }
}
