using System.Diagnostics.CodeAnalysis;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// The stage (webinars, livestreams, audio rooms): only a peer on it produces media. A peer whose preset has a stage
/// enters on it with <c>stage_access</c> ALLOWED (a host; it may leave and join again at will), off it otherwise; with
/// CAN_REQUEST it asks, a host with <c>accept_stage_requests</c> grants (or invites it unasked) or denies, and once
/// granted it joins. A host (or one with <c>kick_participant</c>) sends a peer off; a peer leaving the stage loses what
/// it produced at once (<see cref="IRoomObserver.OnPeerLeftStage"/>). A peer without a stage (a group call) is on
/// it throughout. Every change is told to every peer (<see cref="StageChanged"/>), the requests to the hosts
/// (<see cref="StageRequestsChanged"/>). Asking for what a peer has already (a second request, a join on the stage)
/// changes nothing; asking for what its preset or its place does not allow is refused, for a batch before any change.
/// A peer's place is kept on the peer (<see cref="RoomPeer.Stage"/>: meeting media reads it without a lock); only this
/// component changes it once the peer is in the room, under its own async lock, and the room tells it when a peer left
/// (<see cref="PeerLeftAsync"/>), so the hosts' list of requests follows.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose")]
public sealed class RoomStage
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly IRoomPresence _room;
    private readonly Action<RoomPeer> _leftStage;
    private readonly TimeProvider _time;

    /// <param name="room">The room the stage is in.</param>
    /// <param name="leftStage">Told of each peer that leaves the stage, under the stage's lock: what it produced ends (<see cref="IRoomObserver.OnPeerLeftStage"/>).</param>
    /// <param name="time">The clock.</param>
    internal RoomStage(IRoomPresence room, Action<RoomPeer> leftStage, TimeProvider time)
    {
        _room = room;
        _leftStage = leftStage;
        _time = time;
    }

    /// <summary>Who asks for the stage now, oldest request first, as every front end lists it for hosts (a hidden peer is in no list).</summary>
    public IReadOnlyList<RoomPeer> Requests => [.. _room.Peers.Where(p => p.Stage == StageStatus.Requested && !p.Hidden).OrderBy(p => p.StageRequestedAt)];

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
    public Task<StageStatus> RequestAsync(RoomPeer peer) => ChangeOwnAsync(peer, StageChange.Requested);

    /// <summary>The peer withdraws its request.</summary>
    public Task<StageStatus> CancelRequestAsync(RoomPeer peer) => ChangeOwnAsync(peer, StageChange.Cancelled);

    /// <summary>The peer joins the stage: at will with <c>stage_access</c> ALLOWED, else once a host granted it.</summary>
    public Task<StageStatus> JoinAsync(RoomPeer peer) => ChangeOwnAsync(peer, StageChange.Joined);

    /// <summary>The peer leaves the stage (or declines its invitation, or withdraws its request); what it produced ends.</summary>
    public Task<StageStatus> LeaveAsync(RoomPeer peer) => ChangeOwnAsync(peer, StageChange.Left);

    /// <summary>
    /// A host (null: the app) lets the peers that match on: those asking, and those off the stage unasked (an
    /// invitation); they are approved, and join themselves. The peers that matched.
    /// </summary>
    public Task<IReadOnlyList<RoomPeer>> GrantAsync(RoomPeer? host, Func<RoomPeer, bool> match) => ChangeAsync(host, match, StageChange.Granted);

    /// <summary>A host (null: the app) turns down the requests (or withdraws the invitations) of the peers that match.</summary>
    public Task<IReadOnlyList<RoomPeer>> DenyAsync(RoomPeer? host, Func<RoomPeer, bool> match) => ChangeAsync(host, match, StageChange.Denied);

    /// <summary>A host (null: the app) sends the peers that match off the stage; what they produced ends at once.</summary>
    public Task<IReadOnlyList<RoomPeer>> KickAsync(RoomPeer? host, Func<RoomPeer, bool> match) => ChangeAsync(host, match, StageChange.Kicked);

    /// <summary>Where a peer with this preset enters: on the stage without one, or when it may join at will; off it otherwise.</summary>
    public static StageStatus EntryStage(PresetPermissions may) =>
        !may.StageEnabled || may.StageAccess == PresetAccess.Allowed ? StageStatus.OnStage : StageStatus.OffStage;

    /// <summary>The peer left the room: when it was asking for the stage, the hosts hear the requests without it.</summary>
    internal async Task PeerLeftAsync(RoomPeer peer)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (peer.Stage == StageStatus.Requested)
            {
                PublishRequests();
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<StageStatus> ChangeOwnAsync(RoomPeer peer, StageChange change)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_room.Peers.Any(p => p.Id == peer.Id))
            {
                ApplyLocked([(peer, NextStage(peer, change, self: true))], change, peer);
            }

            return peer.Stage;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<IReadOnlyList<RoomPeer>> ChangeAsync(RoomPeer? host, Func<RoomPeer, bool> match, StageChange change)
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
            var peers = _room.Peers.Where(match).ToList();
            ApplyLocked([.. peers.Select(p => (p, NextStage(p, change, self: p == host)))], change, host);
            return peers;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Each peer to its new place (null: it stays); the hosts hear the requests once, when they changed.</summary>
    private void ApplyLocked(IReadOnlyList<(RoomPeer Peer, StageStatus? Status)> changes, StageChange change, RoomPeer? by)
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
                _leftStage(peer);
            }

            var changed = new StageChanged(peer, next, change, by);
            if (peer.Hidden)
            {
                peer.Notify(changed);
            }
            else
            {
                _room.Publish(changed, except: null, to: null);
            }
        }

        if (requests)
        {
            PublishRequests();
        }
    }

    private void PublishRequests() => _room.Publish(new StageRequestsChanged(Requests), except: null, to: p => p.Permissions.AcceptStageRequests);

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
