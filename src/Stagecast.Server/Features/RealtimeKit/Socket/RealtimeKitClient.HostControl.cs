using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// A host turning others' microphones or cameras off (media events 93 and 94: <c>participant.disableAudio()</c>,
/// <c>participants.disableAllAudio()</c> and their video twins), as the preset's <c>disable_participant_audio</c> and
/// <c>_video</c> allow, through the router (<see cref="MeetingMedia.MeetingRouter.HostMuteAsync"/>). The SDK awaits
/// status "success".
/// </summary>
public sealed partial class RealtimeKitClient
{
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
}
