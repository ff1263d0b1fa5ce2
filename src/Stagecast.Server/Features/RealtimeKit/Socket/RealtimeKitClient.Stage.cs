using Google.Protobuf;
using Stagecast.RealtimeKit;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Features.Rooms;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// The stage on RealtimeKit's socket (room events 11-19, 38 and 43), translated one to one into the room's
/// (<see cref="MeetingRoom"/>'s stage). A request, its withdrawal, a grant and a denial are not answered (the SDK
/// awaits nothing); the room's change reaches every client as a push. Joining and leaving are answered on event 38,
/// the peer's new place, with the request's id; a host's kick on event 19. Participants are named by user id (the
/// participant's), as the SDK names them.
/// </summary>
public sealed partial class RealtimeKitClient
{
    private async Task<IMessage?> StageAsync(MeetingRoom room, RoomPeer peer, SocketMessage message)
    {
        switch (message.Event)
        {
            case Events.Room.GetStagePeers:
                return new GetStagePeersResponse { StagePeers = { IdsOn(room, StageStatus.OnStage) } };
            case Events.Room.GetRoomStageState:
                return new GetRoomStageStateResponse
                {
                    OnStagePeers = { IdsOn(room, StageStatus.OnStage) },
                    ApprovedStagePeers = { IdsOn(room, StageStatus.Approved) },
                    RequestedStagePeers = { IdsOn(room, StageStatus.Requested) },
                };
            case Events.Room.GetStageRequests:
                return _views.StageRequests(peer.Permissions.AcceptStageRequests ? room.Stage.Requests : []);
            case Events.Room.RequestStageAccess:
                await room.Stage.RequestAsync(peer).ConfigureAwait(false);
                return null;
            case Events.Room.CancelStageRequest:
                await room.Stage.CancelRequestAsync(peer).ConfigureAwait(false);
                return null;
            case Events.Room.GrantStageAccess:
                var granted = Read(message, GrantStageAccessRequest.Parser).UserIds.ToHashSet(StringComparer.Ordinal);
                await room.Stage.GrantAsync(await RecheckAsync(peer).ConfigureAwait(false), p => granted.Contains(p.Participant.Id)).ConfigureAwait(false);
                return null;
            case Events.Room.DenyStageAccess:
                var denied = Read(message, DenyStageAccessRequest.Parser).UserIds.ToHashSet(StringComparer.Ordinal);
                await room.Stage.DenyAsync(await RecheckAsync(peer).ConfigureAwait(false), p => denied.Contains(p.Participant.Id)).ConfigureAwait(false);
                return null;
            case Events.Room.JoinStage:
                AnswerOnStageStatus(message, peer, await room.Stage.JoinAsync(peer).ConfigureAwait(false));
                return null;
            default: // Events.Room.LeaveStage: the peer itself, or a host sending others off
                var leaving = Read(message, LeaveStageRequest.Parser).UserIds.ToHashSet(StringComparer.Ordinal);
                if (leaving.Count == 0 || leaving.SetEquals([peer.Participant.Id]))
                {
                    AnswerOnStageStatus(message, peer, await room.Stage.LeaveAsync(peer).ConfigureAwait(false));
                    return null;
                }

                await room.Stage.KickAsync(await RecheckAsync(peer).ConfigureAwait(false), p => leaving.Contains(p.Participant.Id)).ConfigureAwait(false);
                return new LeaveStageRequest();
        }
    }

    /// <summary>The SDK awaits its join and leave on event 38 (the peer's place), which its stage handler also reads: it must say where the peer is now.</summary>
    private void AnswerOnStageStatus(SocketMessage request, RoomPeer peer, StageStatus stage) =>
        connection.TrySend(SocketFrameWriter.Reply(request, Events.Room.PeerStageStatusUpdate, _views.StageUpdate(peer, stage)));

    private IEnumerable<string> IdsOn(MeetingRoom room, StageStatus stage) =>
        room.Peers.Where(p => p.Stage == stage && !p.Hidden).Select(_views.IdOf);

    private static bool IsStage(uint @event) => @event is >= Events.Room.GetStagePeers and <= Events.Room.LeaveStage and not Events.Room.RoomPeerCount
        or Events.Room.GetRoomStageState;
}
