using System.Text;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// A session's chat as the CSV RealtimeKit exports (<see cref="CsvCells"/>: RFC 4180, formula-like cells defused). A
/// file message's payload is as the front ends show it (<see cref="ChatFiles.Shown"/>): its download link, signed for
/// a day. RealtimeKit's ten columns come first; Stagecast adds <c>targetUserIds</c>: a private message's participants
/// (its recipients and its sender, as the SDK's <c>targetUserIds</c>), separated by <c>;</c>, empty for a message to everyone.
/// </summary>
public static class ChatCsv
{
    public const string Header = "id,participantId,sessionId,meetingId,displayName,pinned,isEdited,payloadType,payload,createdAt,targetUserIds";

    public static string Write(IEnumerable<ChatMessage> messages, ChatFiles files)
    {
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var m in messages)
        {
            csv.AppendRow(
            [
                m.Id, m.ParticipantId, m.SessionId, m.MeetingId, m.DisplayName ?? "", m.Pinned ? "true" : "false", m.IsEdited ? "true" : "false",
                m.PayloadType, files.Shown(m), ApiJson.Format(m.CreatedAt), string.Join(';', m.TargetUserIds ?? []),
            ]);
        }

        return csv.ToString();
    }
}
