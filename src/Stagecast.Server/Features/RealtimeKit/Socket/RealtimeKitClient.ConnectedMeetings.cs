using System.Net.WebSockets;
using Google.Protobuf;
using Stagecast.RealtimeKit;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>RealtimeKit's connected meetings (breakout rooms) on the socket: the SDK's <c>meeting.connectedMeetings</c>.</summary>
public sealed partial class RealtimeKitClient
{
    /// <summary>How long the socket of a peer moved to another meeting stays open, unless the SDK closes it first (it does at once).</summary>
    private static readonly TimeSpan MovedSocketLinger = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The dump of the connected meetings (event 20): the parent meeting and its rooms, each with the participants in it
    /// now. The SDK knows a participant by its participant id (it finds itself by <c>self.userId</c>), the UI kit by its
    /// custom participant id, across meetings.
    /// </summary>
    private async Task<GetConnectedRoomsDumpResponse> ConnectedRoomsDumpAsync(MeetingRoom room) =>
        Dump(await services.ConnectedMeetings.ViewAsync(room.Meeting, CancellationToken.None).ConfigureAwait(false));

    /// <summary>The group as the dump (event 20) says it, answered or pushed.</summary>
    internal static GetConnectedRoomsDumpResponse Dump(ConnectedMeetingsView group)
    {
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
        var made = await services.ConnectedMeetings.CreateAsync(peer, room.Meeting, [.. request.Payloads.Select(p => p.Title)], CancellationToken.None).ConfigureAwait(false);
        return Rooms(made);
    }

    /// <summary>
    /// A host closes breakout rooms (event 22): whoever is left in them goes back to the parent, the group is pushed the
    /// rooms closed (event 27) and who is where; the answer lists them INACTIVE.
    /// </summary>
    private async Task<DisableConnectedRoomsResponse> CloseConnectedRoomsAsync(MeetingRoom room, RoomPeer peer, DisableConnectedRoomsRequest request)
    {
        return Closed(await services.ConnectedMeetings.CloseAsync(peer, room.Meeting, [.. request.Payloads.Select(p => p.Id)], CancellationToken.None).ConfigureAwait(false));
    }

    /// <summary>Rooms closed, as the close answer and the push of rooms closed say them.</summary>
    internal static DisableConnectedRoomsResponse Closed(IEnumerable<Meetings.Meeting> rooms)
    {
        var answer = new DisableConnectedRoomsResponse();
        answer.Payloads.AddRange(rooms.Select(r => new DisableConnectedRoomPayload { Id = r.Id, Status = "INACTIVE", Title = r.Title ?? "" }));
        return answer;
    }

    /// <summary>
    /// Participants are moved between meetings of the group (event 23; <see cref="ConnectedMeetings.MoveAsync"/> has the
    /// rules). The answer is empty: the SDK reads an answer whose bytes spell "error" as a failure.
    /// </summary>
    private async Task<MovePeersBetweenRoomsResponse> MovePeersAsync(MeetingRoom room, RoomPeer peer, MovePeersBetweenRoomsRequest request)
    {
        await services.ConnectedMeetings.MoveAsync(peer, room.Meeting, request.SourceMeetingId, request.DestinationMeetingId,
            [.. request.Participants.Select(p => (p.Id, p.HasPresetId && p.PresetId.Length > 0 ? p.PresetId : null))], CancellationToken.None).ConfigureAwait(false);
        return new MovePeersBetweenRoomsResponse();
    }

    /// <summary>
    /// After the answer to a move, the mover is pushed who is where once more (event 20). On the answer the SDK (1.5.1
    /// and 2.0.2) moves the people it named itself, by the ids it named them by, their ids in the meeting they left; the
    /// push before it lists them by their ids in the meeting they went to, so the SDK's own move added an undefined for
    /// each, and a later <c>deleteMeetings</c>, which moves a room's people back by their ids, threw. The push after the
    /// answer puts the SDK's view back to the server's.
    /// </summary>
    private async Task TellMoverWhoIsWhereAsync()
    {
        if (!connection.ClosingSoon && _room is { } room)
        {
            connection.TrySend(SocketFrameWriter.Push(Events.Room.GetConnectedRoomsDump, await ConnectedRoomsDumpAsync(room).ConfigureAwait(false)));
        }
    }

    /// <summary>
    /// This client's peer was moved to another meeting (told <see cref="TransferredTo"/>, and gone from this room): the
    /// SDK starts again there with the token, and leaves this socket with a <c>media.leaveRoom</c> it does not wait for
    /// and a close. Anything else asked here is refused; the socket closes normally (1000: another code makes the SDK
    /// come back) if the SDK has not closed it within <see cref="MovedSocketLinger"/>.
    /// </summary>
    private static PeerLeaveResponse AnswerMoved(SocketMessage message) => message.Event == Events.Media.LeaveRoom
        ? new PeerLeaveResponse { Closed = false }
        : throw new DomainException(DomainError.Conflict, "moved to another meeting: this socket serves none now");

    private void Moved() => connection.CloseAfter(MovedSocketLinger, WebSocketCloseStatus.NormalClosure, "moved to another meeting");

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
        dump.Participants.AddRange(meeting.Members.Select(m => new ConnectedMeetingPeer
        {
            Id = m.Participant.Id,
            DisplayName = m.Name ?? m.Participant.Name ?? "",
            CustomParticipantId = m.Participant.CustomParticipantId,
            PresetId = m.Participant.PresetId,
            DisplayPictureUrl = m.Participant.Picture ?? "",
        }));
        return dump;
    }
}
