using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.RealtimeKit.Protocol.Presets;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// A host turning others' microphones or cameras off (media events 93 and 94: <c>participant.disableAudio()</c>,
/// <c>participants.disableAllAudio()</c> and their video twins), as the preset's <c>disable_participant_audio</c> and
/// <c>_video</c> allow, through the router (<see cref="MeetingMedia.MeetingRouter.HostMuteAsync"/>). The SDK awaits
/// status "success". And a host changing others' permissions for the session (presets event 1,
/// <c>participants.updatePermissions</c>), as <c>can_change_participant_permissions</c> allows, through the room
/// (<see cref="MeetingRoom.UpdatePermissionsAsync"/>).
/// </summary>
public sealed partial class RealtimeKitClient
{
    /// <summary>The most participants one permission change names (the SDK sends one entry per participant).</summary>
    private const int MaxPermissionUpdates = 500;

    private async Task<IMessage> HostMuteAsync(MeetingRoom room, RoomPeer host, HostMediaControlForPeerRequest request)
    {
        var peer = room.Peers.FirstOrDefault(p => _views.IdOf(p) == request.ParticipantId && !ReferenceEquals(p, host))
            ?? throw new DomainException(DomainError.NotFound, $"no other peer {request.ParticipantId} in the meeting");
        await HostMuteAsync(room, host, [peer], request.Audio, request.Video).ConfigureAwait(false);
        return new HostMediaControlForPeerResponse { Status = "success" };
    }

    private async Task<IMessage> HostMuteAllAsync(MeetingRoom room, RoomPeer host, HostMediaControlForAllPeerRequest request)
    {
        await HostMuteAsync(room, host, [.. room.Peers.Where(p => !ReferenceEquals(p, host) && !p.Hidden)], request.Audio, request.Video).ConfigureAwait(false);
        return new HostMediaControlForAllPeerResponse { Status = "success" };
    }

    private async Task HostMuteAsync(MeetingRoom room, RoomPeer host, IReadOnlyList<RoomPeer> peers, bool audio, bool video)
    {
        RequireHost(!audio || host.Permissions.DisableParticipantAudio, "disable_participant_audio");
        RequireHost(!video || host.Permissions.DisableParticipantVideo, "disable_participant_video");
        var router = services.Media.Media.For(room);
        foreach (var peer in peers)
        {
            await router.HostMuteAsync(peer, audio, video, host).ConfigureAwait(false);
        }
    }

    private static async Task<IMessage> UpdatePermissionsAsync(MeetingRoom room, RoomPeer host, UpdatePeersPresetRequest request)
    {
        if (request.UpdatePeersPresets.Count is 0 or > MaxPermissionUpdates)
        {
            throw new DomainException(DomainError.BadRequest, $"a permission change names 1 to {MaxPermissionUpdates} participants");
        }

        await room.UpdatePermissionsAsync(host, [.. request.UpdatePeersPresets.Select(u => (u.UserIds, RealtimeKitPermissionUpdates.Patch(u.Patch ?? new PresetUpdates())))])
            .ConfigureAwait(false);
        return new UpdatePeersPresetResponse { UpdatePeersPresets = { request.UpdatePeersPresets } };
    }
}
