using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Rooms;
using Stagecast.Streaming;
using Stagecast.WebRtc.Sfu;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>
/// Meeting media across the server: each room's router (<see cref="MeetingRouter"/>), ended with its peers (it is the rooms'
/// <see cref="IRoomObserver"/>), the rooms' mute control, and one timer that follows the speakers of every
/// room with media (it runs only while there is one).
/// </summary>
public sealed class MeetingMediaService : IRoomObserver, IPeerMediaControl, IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<MeetingRoom, MeetingRouter> _rooms = new();
    private readonly MeetingMediaOptions _options;
    private readonly TimeProvider _time;
    private readonly MeetingMediaStats _stats;
    private readonly StreamHub _hub;
    private readonly MeetingTransports _transports;
    private readonly DemandTimer _speakers;

    public MeetingMediaService(IOptions<MeetingMediaOptions> options, MeetingTransports transports, MeetingMediaHub hub, MeetingMediaStats stats, TimeProvider time)
    {
        _transports = transports;
        _hub = hub.Hub;
        _options = options.Value;
        _stats = stats;
        _time = time;
        _speakers = new DemandTimer(time, _options.SpeakerInterval, FollowSpeakers, () => !_rooms.IsEmpty);
    }

    public MeetingMediaOptions Options => _options;

    /// <summary>A room's router says what its visible sources are may have changed (<see cref="MeetingRouter.SourcesChanged"/>).</summary>
    public event Action<MeetingRouter>? SourcesChanged;

    /// <summary>The room's router (made on first use).</summary>
    public MeetingRouter For(MeetingRoom room)
    {
        var media = _rooms.GetOrAdd(room, r =>
        {
            var router = new MeetingRouter(r, _options, _transports, _hub, _stats, _time);
            router.SourcesChanged += changed => SourcesChanged?.Invoke(changed);
            return router;
        });
        _speakers.Start();
        return media;
    }

    public MeetingRouter? Find(MeetingRoom room) => _rooms.GetValueOrDefault(room);

    public void OnPeerLeft(MeetingRoom room, RoomPeer peer)
    {
        if (Find(room) is not { } media)
        {
            return;
        }

        media.PeerLeft(peer);
        if (room.Peers.Count == 0)
        {
            _rooms.TryRemove(room, out _);
        }
    }

    public void OnPeerLeftStage(MeetingRoom room, RoomPeer peer) => Find(room)?.StageLeft(peer);

    public Task SetMutedAsync(MeetingRoom room, RoomPeer peer, bool? audioEnabled, bool? videoEnabled) =>
        For(room).SetMutedAsync(peer, audioEnabled, videoEnabled);

    public Task HostMuteAsync(MeetingRoom room, RoomPeer peer, bool audio, bool video, RoomPeer host) => For(room).HostMuteAsync(peer, audio, video, host);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _speakers.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _speakers.Dispose();

    private void FollowSpeakers()
    {
        foreach (var media in _rooms.Values)
        {
            media.FollowSpeakers();
        }
    }
}
