using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

public sealed partial class MeetingRoom
{
    /// <summary>Kicks the peers that match: each is told <see cref="Kicked"/> with the reason, and its connection ends.</summary>
    public async Task<IReadOnlyList<RoomPeer>> KickAsync(Func<RoomPeer, bool> match, string reason)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var kicked = _peers.Values.Where(match).ToList();
            foreach (var peer in kicked)
            {
                KickLocked(peer, reason);
                await RemovePeerLocked(peer, "kicked", now).ConfigureAwait(false);
            }

            return kicked;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Moves a peer out to another meeting of its group: it is told <paramref name="transfer"/> (where to go, and how), then
    /// leaves as <c>moved</c>, at once (its client goes on in the other meeting; it is not kicked). False when it had left.
    /// </summary>
    public async Task<bool> MoveOutAsync(RoomPeer peer, TransferredTo transfer)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_peers.ContainsKey(peer.Id))
            {
                return false;
            }

            peer.Notify(transfer);
            await RemovePeerLocked(peer, "moved", _time.GetUtcNow()).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Renames a peer and tells the others: refused (403) when its preset does not let it choose its name
    /// (<c>can_edit_display_name</c>), and (400) a name others should not be shown (<see cref="ShownText"/>).
    /// </summary>
    public async Task<RoomPeer> RenamePeerAsync(RoomPeer peer, string name)
    {
        if (name != peer.Name && !peer.Permissions.CanEditDisplayName)
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow changing your display name (can_edit_display_name)");
        }

        name = MeetingRooms.NameOf(name, peer.Participant, peer.Permissions)!;
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (peer.Name != name)
            {
                peer.Name = name;
                PublishPeerUpdated(peer);
                NotifyPeerChanged(peer);
            }

            return peer;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// The peer mutes (false) or unmutes (true) its microphone or camera; muted tracks are not forwarded. What it
    /// publishes then follows from the media (<see cref="SetPeerMediaAsync"/>). Only a peer on the stage unmutes.
    /// </summary>
    public async Task SetMutedAsync(RoomPeer peer, bool? audioEnabled, bool? videoEnabled)
    {
        var permissions = peer.Permissions;
        if ((audioEnabled == true && !permissions.MayProduceAudio) || (videoEnabled == true && !permissions.MayProduceVideo))
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow producing that media");
        }

        if (audioEnabled == true || videoEnabled == true)
        {
            RoomStage.RequireOnStage(peer);
        }

        if (_services.Media is { } media)
        {
            await media.SetMutedAsync(this, peer, audioEnabled, videoEnabled).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A host (<c>can_change_participant_permissions</c>) changes the permissions of the peers of some participants for
    /// as long as they are in the meeting: each of <paramref name="changes"/> names a participant and its change, laid
    /// on in turn. Each peer changed is told of each change (<see cref="PermissionsChanged"/>); one that may no longer produce audio or video has that
    /// turned off as a host turns it off (and its client cannot turn it on again). Returns the peers changed; none of the participants in the meeting is a 404.
    /// </summary>
    public async Task<IReadOnlyList<RoomPeer>> UpdatePermissionsAsync(RoomPeer host, IReadOnlyList<(string ParticipantId, PermissionPatch Patch)> changes)
    {
        if (!host.Permissions.CanChangeParticipantPermissions)
        {
            throw new DomainException(DomainError.Forbidden, "your preset may not change others' permissions (can_change_participant_permissions)");
        }

        List<RoomPeer> changed;
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            changed = [.. _peers.Values.Where(p => changes.Any(c => c.ParticipantId == p.Participant.Id))];
            foreach (var participant in changed.Select(p => p.Participant).DistinctBy(p => p.Id))
            {
                var kept = _rooms.ChangesOf(participant);
                foreach (var (_, patch) in changes.Where(c => c.ParticipantId == participant.Id))
                {
                    if (!kept.TryAdd(patch))
                    {
                        throw new DomainException(DomainError.TooMany,
                            $"the permissions of participant {participant.Id} were changed {PermissionChanges.MaxChanges} times this session, the most that is kept");
                    }

                    foreach (var peer in changed.Where(p => p.Participant.Id == participant.Id))
                    {
                        peer.Notify(new PermissionsChanged(patch, host));
                    }
                }
            }

            foreach (var peer in changed)
            {
                NotifyPeerChanged(peer);
            }
        }
        finally
        {
            _lock.Release();
        }

        if (changed.Count == 0)
        {
            throw new DomainException(DomainError.NotFound, "none of those participants is in the meeting");
        }

        foreach (var peer in changed.Where(p => !p.Permissions.MayProduceAudio || !p.Permissions.MayProduceVideo))
        {
            if (_services.Media is { } media)
            {
                await media.HostMuteAsync(this, peer, !peer.Permissions.MayProduceAudio, !peer.Permissions.MayProduceVideo, host).ConfigureAwait(false);
            }
        }

        return changed;
    }

    /// <summary>
    /// Sets what a peer publishes, from the media that actually flows (meeting media calls it as tracks start, end and
    /// are muted), and tells everyone, the peer included. A peer no longer in the room is left alone.
    /// </summary>
    public async Task SetPeerMediaAsync(RoomPeer peer, bool audio, bool video, bool screenshare)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_peers.ContainsKey(peer.Id) || (peer.AudioEnabled, peer.VideoEnabled, peer.ScreenshareEnabled) == (audio, video, screenshare))
            {
                return;
            }

            (peer.AudioEnabled, peer.VideoEnabled, peer.ScreenshareEnabled) = (audio, video, screenshare);
            PublishPeerUpdated(peer);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Who spoke last, as meeting media last said, while still in the room: for clients joining after it changed.</summary>
    public string? ActiveSpeaker => Volatile.Read(ref _activeSpeaker) is { } id && Peers.Any(p => p.Id == id) ? id : null;

    /// <summary>Who speaks now (meeting media follows the audio levels).</summary>
    public void SetActiveSpeaker(string peerId)
    {
        Volatile.Write(ref _activeSpeaker, peerId);
        Publish(new ActiveSpeakerChanged(peerId));
    }

    /// <summary>
    /// A host (a peer with <c>accept_waiting_requests</c>) lets a waiting participant in, or not; the waiter learns it
    /// from its <see cref="Waitlist.Waiter.Decision"/>.
    /// </summary>
    public void DecideWaiter(RoomPeer host, string waitlistId, bool accept)
    {
        if (!host.Permissions.AcceptWaitingRequests)
        {
            throw new DomainException(DomainError.Forbidden, "this participant's preset may not accept waiting requests (accept_waiting_requests)");
        }

        if (!_rooms.WaitlistOf(MeetingId).Resolve(waitlistId, accept))
        {
            throw new DomainException(DomainError.NotFound, $"nobody waits with waitlist_id {waitlistId}");
        }
    }

    /// <summary>
    /// What a peer that has just entered sees of the room, as its preset allows: the other peers, the chat history (of
    /// this session, or of the meeting when it persists chat), the session's polls, the livestream, who waits, who asks for the stage.
    /// </summary>
    public async Task<RoomState> StateForAsync(RoomPeer peer)
    {
        var permissions = peer.Permissions;
        var livestreams = _services.Livestreams;
        return new RoomState(
            [.. Peers.Where(p => p != peer && !p.Hidden)],
            await Chat.ForAsync(peer).ConfigureAwait(false),
            permissions.PollsCanView ? await Polls.ListAsync().ConfigureAwait(false) : [],
            livestreams.ActiveFor(MeetingId) is { } active ? livestreams.View(active) : null,
            permissions.AcceptWaitingRequests ? _rooms.WaitlistOf(MeetingId).Views : [],
            permissions.AcceptStageRequests ? Stage.Requests : []);
    }

    private void PublishPeerUpdated(RoomPeer peer)
    {
        if (!peer.Hidden)
        {
            Publish(new PeerUpdated(peer));
        }
        else
        {
            peer.Notify(new PeerUpdated(peer));
        }
    }
}
