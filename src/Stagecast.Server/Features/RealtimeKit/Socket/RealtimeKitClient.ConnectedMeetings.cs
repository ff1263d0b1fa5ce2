using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>RealtimeKit's connected meetings (breakout rooms) on the socket: the SDK's <c>meeting.connectedMeetings</c>.</summary>
public sealed partial class RealtimeKitClient
{
    /// <summary>
    /// The dump of the connected meetings (event 20): the meeting and, each once, the participants in it (a participant
    /// with two tabs open is one), hidden ones left out. The SDK knows a participant by its participant id (it finds
    /// itself by <c>self.userId</c>), the UI kit by its custom participant id, across meetings.
    /// </summary>
    private static GetConnectedRoomsDumpResponse ConnectedRoomsDump(MeetingRoom room)
    {
        var parent = new ConnectedMeetingDump { Id = room.MeetingId, Title = room.Meeting.Title ?? "" };
        parent.Participants.AddRange(room.Peers.Where(p => !p.Hidden).DistinctBy(p => p.Participant.Id).Select(p => new ConnectedMeetingPeer
        {
            Id = p.Participant.Id,
            DisplayName = p.Name ?? "",
            CustomParticipantId = p.Participant.CustomParticipantId,
            PresetId = p.Participant.PresetId,
            DisplayPictureUrl = p.Participant.Picture ?? "",
        }));
        return new GetConnectedRoomsDumpResponse { ParentMeeting = parent };
    }
}
