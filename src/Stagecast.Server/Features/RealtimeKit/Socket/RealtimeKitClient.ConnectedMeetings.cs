using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>RealtimeKit's connected meetings (breakout rooms) on the socket: the SDK's <c>meeting.connectedMeetings</c>.</summary>
public sealed partial class RealtimeKitClient
{
    /// <summary>
    /// The dump of the connected meetings (event 20): the parent meeting and its rooms, each with the participants in it
    /// now. The SDK knows a participant by its participant id (it finds itself by <c>self.userId</c>), the UI kit by its
    /// custom participant id, across meetings.
    /// </summary>
    private async Task<GetConnectedRoomsDumpResponse> ConnectedRoomsDumpAsync(MeetingRoom room)
    {
        var group = await services.ConnectedMeetings.ViewAsync(room.Meeting, CancellationToken.None).ConfigureAwait(false);
        var answer = new GetConnectedRoomsDumpResponse { ParentMeeting = Dump(group.Parent) };
        answer.Meetings.AddRange(group.Rooms.Select(Dump));
        return answer;
    }

    /// <summary>
    /// A host makes breakout rooms (event 21): the group's peers are pushed the new rooms (event 26) before the answer,
    /// whose titles are those asked for, in order (the UI kit finds each new room's id by its title).
    /// </summary>
    private async Task<CreateConnectedRoomsResponse> CreateConnectedRoomsAsync(MeetingRoom room, RoomPeer peer, CreateConnectedRoomsRequest request)
    {
        if (!peer.Permissions.CanAlterConnectedMeetings)
        {
            throw new DomainException(DomainError.Forbidden, "your preset may not make breakout rooms (connected_meetings.can_alter_connected_meetings)");
        }

        var made = await services.ConnectedMeetings.CreateAsync(room.Meeting, [.. request.Payloads.Select(p => p.Title)], CancellationToken.None).ConfigureAwait(false);
        return Rooms(made);
    }

    /// <summary>Rooms as the create answer and the push of rooms made say them.</summary>
    internal static CreateConnectedRoomsResponse Rooms(IEnumerable<Meetings.Meeting> rooms)
    {
        var answer = new CreateConnectedRoomsResponse();
        answer.Payloads.AddRange(rooms.Select(r => new CreateRoomResponsePayload { Id = r.Id, Title = r.Title ?? "" }));
        return answer;
    }

    private static ConnectedMeetingDump Dump(ConnectedMeetingView meeting)
    {
        var dump = new ConnectedMeetingDump { Id = meeting.Id, Title = meeting.Title };
        dump.Participants.AddRange(meeting.Peers.Select(p => new ConnectedMeetingPeer
        {
            Id = p.Participant.Id,
            DisplayName = p.Name ?? "",
            CustomParticipantId = p.Participant.CustomParticipantId,
            PresetId = p.Participant.PresetId,
            DisplayPictureUrl = p.Participant.Picture ?? "",
        }));
        return dump;
    }
}
