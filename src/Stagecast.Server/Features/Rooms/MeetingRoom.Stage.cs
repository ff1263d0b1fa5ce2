using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// The stage (webinars, livestreams, audio rooms): only a peer on it produces media. A peer whose preset has a stage
/// enters on it with <c>stage_access</c> ALLOWED (a host; it may leave and join again at will), off it otherwise; with
/// CAN_REQUEST it asks, a host with <c>accept_stage_requests</c> grants (or invites it unasked) or denies, and once
/// granted it joins. A host (or one with <c>kick_participant</c>) sends a peer off; a peer leaving the stage loses what
/// it produced at once (<see cref="IRoomPeerObserver.OnPeerLeftStage"/>). A peer without a stage (a group call) is on
/// it throughout. Every change is told to every peer (<see cref="StageChanged"/>), the requests to the hosts
/// (<see cref="StageRequestsChanged"/>). Asking for what a peer has already (a second request, a join on the stage)
/// changes nothing; asking for what its preset or its place does not allow is refused, for a batch before any change.
/// </summary>
public sealed partial class MeetingRoom
{
    /// <summary>Who asks for the stage now, oldest request first.</summary>
    public IReadOnlyList<RoomPeer> StageRequests => [.. Peers.Where(p => p.Stage == StageStatus.Requested).OrderBy(p => p.StageRequestedAt)];

    /// <summary>Refuses (403) what only a peer on the stage may do: produce media, unmute.</summary>
    public static void RequireOnStage(RoomPeer peer)
    {
        if (peer.Stage != StageStatus.OnStage)
        {
            throw new DomainException(DomainError.Forbidden, peer.Stage == StageStatus.Approved || peer.Permissions.StageAccess == PresetAccess.Allowed
                ? "you are not on the stage: join it first"
                : "you are not on the stage: ask for it, and join it once a host lets you");
        }
    }

    /// <summary>The peer asks for the stage (its preset's <c>stage_access</c> must be CAN_REQUEST); the hosts hear it.</summary>
    public Task<StageStatus> RequestStageAsync(RoomPeer peer) => ChangeOwnStageAsync(peer, StageChange.Requested);

    /// <summary>The peer withdraws its request.</summary>
    public Task<StageStatus> CancelStageRequestAsync(RoomPeer peer) => ChangeOwnStageAsync(peer, StageChange.Cancelled);

    /// <summary>The peer joins the stage: at will with <c>stage_access</c> ALLOWED, else once a host granted it.</summary>
    public Task<StageStatus> JoinStageAsync(RoomPeer peer) => ChangeOwnStageAsync(peer, StageChange.Joined);

    /// <summary>The peer leaves the stage (or declines its invitation, or withdraws its request); what it produced ends.</summary>
    public Task<StageStatus> LeaveStageAsync(RoomPeer peer) => ChangeOwnStageAsync(peer, StageChange.Left);

    /// <summary>
    /// A host (null: the app) lets the peers that match on: those asking, and those off the stage unasked (an
    /// invitation); they are approved, and join themselves. The peers that matched.
    /// </summary>
    public Task<IReadOnlyList<RoomPeer>> GrantStageAsync(RoomPeer? host, Func<RoomPeer, bool> match) => ChangeStageAsync(host, match, StageChange.Granted);

    /// <summary>A host (null: the app) turns down the requests (or withdraws the invitations) of the peers that match.</summary>
    public Task<IReadOnlyList<RoomPeer>> DenyStageAsync(RoomPeer? host, Func<RoomPeer, bool> match) => ChangeStageAsync(host, match, StageChange.Denied);

    /// <summary>A host (null: the app) sends the peers that match off the stage; what they produced ends at once.</summary>
    public Task<IReadOnlyList<RoomPeer>> KickFromStageAsync(RoomPeer? host, Func<RoomPeer, bool> match) => ChangeStageAsync(host, match, StageChange.Kicked);

    /// <summary>Where a peer with this preset enters: on the stage without one, or when it may join at will; off it otherwise.</summary>
    public static StageStatus EntryStage(PresetPermissions may) =>
        !may.StageEnabled || may.StageAccess == PresetAccess.Allowed ? StageStatus.OnStage : StageStatus.OffStage;

    private async Task<StageStatus> ChangeOwnStageAsync(RoomPeer peer, StageChange change)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_peers.ContainsKey(peer.Id))
            {
                ApplyStageLocked([(peer, NextStage(peer, change, self: true))], change, peer);
            }

            return peer.Stage;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<IReadOnlyList<RoomPeer>> ChangeStageAsync(RoomPeer? host, Func<RoomPeer, bool> match, StageChange change)
    {
        var may = host?.Permissions;
        if (may is { AcceptStageRequests: false } && (change != StageChange.Kicked || !may.KickParticipant))
        {
            throw new DomainException(DomainError.Forbidden, change == StageChange.Kicked
                ? "your preset may not send others off the stage (accept_stage_requests or kick_participant)"
                : "your preset may not accept stage requests (accept_stage_requests)");
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            var peers = _peers.Values.Where(match).ToList();
            ApplyStageLocked([.. peers.Select(p => (p, NextStage(p, change, self: p == host)))], change, host);
            return peers;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Each peer to its new place (null: it stays); the hosts hear the requests once, when they changed.</summary>
    private void ApplyStageLocked(IReadOnlyList<(RoomPeer Peer, StageStatus? Status)> changes, StageChange change, RoomPeer? by)
    {
        bool requests = false;
        foreach (var (peer, status) in changes)
        {
            if (status is not { } next || next == peer.Stage)
            {
                continue;
            }

            var was = peer.Stage;
            requests |= was == StageStatus.Requested || next == StageStatus.Requested;
            peer.Stage = next;
            peer.StageRequestedAt = next == StageStatus.Requested ? _time.GetUtcNow() : null;
            if (was == StageStatus.OnStage)
            {
                foreach (var observer in _services.PeerObservers)
                {
                    observer.OnPeerLeftStage(this, peer);
                }
            }

            var changed = new StageChanged(peer, next, change, by);
            if (peer.Hidden)
            {
                peer.Notify(changed);
            }
            else
            {
                Publish(changed);
            }
        }

        if (requests)
        {
            PublishStageRequests();
        }
    }

    private void PublishStageRequests() => Publish(new StageRequestsChanged(StageRequests), except: null, to: p => p.Permissions.AcceptStageRequests);

    /// <summary>
    /// Where <paramref name="change"/> takes <paramref name="peer"/> from where it stands: its new place, null when it
    /// has that already (or the change does not apply to it), a refusal when its preset or its place does not allow it.
    /// </summary>
    private static StageStatus? NextStage(RoomPeer peer, StageChange change, bool self)
    {
        var (may, now) = (peer.Permissions, peer.Stage);
        var (who, whose) = self ? ("you", "your") : (NameOf(peer), $"{NameOf(peer)}'s");
        if (!may.StageEnabled)
        {
            return change is StageChange.Joined or StageChange.Granted or StageChange.Cancelled
                ? null
                : throw new DomainException(DomainError.Conflict, $"{whose} preset has no stage (a GROUP_CALL, or stage_enabled false): its peers are on it throughout");
        }

        if (may.StageAccess == PresetAccess.NotAllowed && change is StageChange.Requested or StageChange.Joined or StageChange.Granted)
        {
            throw new DomainException(DomainError.Forbidden, $"{whose} preset does not allow the stage (stage_access NOT_ALLOWED)");
        }

        return change switch
        {
            StageChange.Requested when may.StageAccess == PresetAccess.Allowed =>
                throw new DomainException(DomainError.Conflict, "your preset lets you join the stage without asking (stage_access ALLOWED): join it"),
            StageChange.Requested => now == StageStatus.OffStage ? StageStatus.Requested : null,
            StageChange.Cancelled => now == StageStatus.Requested ? StageStatus.OffStage : null,
            StageChange.Joined when now == StageStatus.OnStage => null,
            StageChange.Joined when may.StageAccess == PresetAccess.Allowed || now == StageStatus.Approved => StageStatus.OnStage,
            StageChange.Joined => throw new DomainException(DomainError.Forbidden, "a host has not let you on the stage: ask for it, and join once granted"),
            StageChange.Granted => now is StageStatus.Requested or StageStatus.OffStage ? StageStatus.Approved : null,
            StageChange.Denied when now == StageStatus.OnStage =>
                throw new DomainException(DomainError.Conflict, $"{who} {(self ? "are" : "is")} on the stage: send {(self ? "yourself" : "them")} off it instead"),
            StageChange.Denied => StageStatus.OffStage,
            StageChange.Kicked => now is StageStatus.OnStage or StageStatus.Approved ? StageStatus.OffStage : null,
            _ => StageStatus.OffStage, // Left
        };
    }

    private static string NameOf(RoomPeer peer) => peer.Name ?? peer.Participant.CustomParticipantId;
}
