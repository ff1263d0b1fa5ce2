using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Realtime;

/// <summary>The stage on the channel: a peer's own moves, and a host's on others (<see cref="MeetingRoom"/>'s stage rules decide).</summary>
public sealed partial class RealtimeClient
{
    /// <summary><c>stage_request</c>, <c>stage_cancel_request</c>, <c>stage_join</c>, <c>stage_leave</c>: the answer is the peer as it is now.</summary>
    internal async Task<RealtimeAnswer> ChangeOwnStageAsync(Func<MeetingRoom, RoomPeer, Task<StageStatus>> change)
    {
        await change(_room!, _peer!).ConfigureAwait(false);
        return new SelfAnswer(PeerView.Of(_peer!));
    }

    /// <summary>
    /// <c>stage_grant</c>, <c>stage_deny</c>, <c>stage_kick</c>: a host acts on the peers named (hidden ones are in no
    /// list, and named by nobody); the token and the preset are read again first, as for every privileged request.
    /// </summary>
    internal async Task<RealtimeAnswer> ActOnStageAsync(StagePeersRequest request, Func<MeetingRoom, RoomPeer, Func<RoomPeer, bool>, Task<IReadOnlyList<RoomPeer>>> act)
    {
        await RecheckCredentialAsync().ConfigureAwait(false);
        var peers = await act(_room!, _peer!, p => !p.Hidden && request.Matches(p)).ConfigureAwait(false);
        return peers.Count == 0
            ? throw new DomainException(DomainError.NotFound, "none of the given peers is in the meeting")
            : new StagePeersAnswer([.. peers.Select(PeerView.Of)]);
    }
}
