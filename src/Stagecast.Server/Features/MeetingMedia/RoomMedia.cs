using Stagecast.Server.Features.Rooms;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Whep;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>
/// The media of one meeting room: each peer's publishing sessions (one per source; a new one replaces the old when it
/// connects) and the subscriptions watching them. It sets what each peer publishes from the media that flows, mutes
/// at a client's word, and follows who speaks.
/// </summary>
public sealed class RoomMedia(MeetingRoom room, MeetingMediaStats stats, TimeProvider time, Action<MeetingRoom, RoomPeer>? tracksChanged = null) : ISfuPublisherListener
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, PeerMedia> _peers = new(StringComparer.Ordinal);
    private readonly List<Subscription> _subscriptions = [];
    private readonly ActiveSpeakerDetector _speakers = new(time);
    private readonly List<string> _recentSpeakers = [];

    public MeetingRoom Room { get; } = room;

    /// <summary>Peers publishing a source, or connecting one, now.</summary>
    public int PublishingPeers
    {
        get
        {
            lock (_sync)
            {
                return _peers.Values.Count(p => p.IsPublishing);
            }
        }
    }

    public bool IsPublishing(string peerId)
    {
        lock (_sync)
        {
            return _peers.TryGetValue(peerId, out var media) && media.IsPublishing;
        }
    }

    public IReadOnlyList<SfuPublication> Publications
    {
        get
        {
            lock (_sync)
            {
                return [.. _peers.Values.SelectMany(p => new[] { p.Camera, p.Screen }).OfType<SfuPublication>()];
            }
        }
    }

    public IReadOnlyList<Subscription> Subscriptions
    {
        get
        {
            lock (_sync)
            {
                return [.. _subscriptions];
            }
        }
    }

    /// <summary>
    /// The connected sources of peers the program may show (not hidden ones): cameras of the most recent speakers
    /// first, then the others in the order they joined, then screen shares.
    /// </summary>
    public IReadOnlyList<(RoomPeer Peer, MediaSource Source)> VisibleSources()
    {
        lock (_sync)
        {
            var peers = _peers.Values.Where(p => !p.Peer.Hidden)
                .OrderBy(p => _recentSpeakers.IndexOf(p.Peer.Id) is var i and >= 0 ? i : int.MaxValue)
                .ThenBy(p => p.Peer.JoinedAt)
                .ToList();
            return
            [
                .. peers.Where(p => p.Camera is not null).Select(p => (p.Peer, MediaSource.Camera)),
                .. peers.Where(p => p.Screen is not null).Select(p => (p.Peer, MediaSource.Screenshare)),
            ];
        }
    }

    /// <summary>A new publication of a peer's source: it replaces the peer's current one of that source once it connects.</summary>
    public void AddPublication(RoomPeer peer, MediaSource source, SfuPublication publication)
    {
        lock (_sync)
        {
            Peer(peer).Pending.Add((source, publication));
        }

        if (Room.SessionId is { } sessionId)
        {
            stats.Publishing(sessionId, peer.Id, source, publication);
        }
    }

    /// <summary>
    /// A subscription, unless it would watch more other peers' video than <paramref name="maxVideoStreams"/> allows
    /// (its own peers' do not count): false then. It leaves the list when its session closes.
    /// </summary>
    public bool TryAddSubscription(Subscription subscription, int maxVideoStreams)
    {
        lock (_sync)
        {
            if (subscription.HasVideo && !subscription.Own)
            {
                int watched = _subscriptions
                    .Where(s => s.HasVideo && !s.Own && s.SubscriberParticipantId == subscription.SubscriberParticipantId && s.PublisherPeerId != subscription.PublisherPeerId)
                    .Select(s => s.PublisherPeerId)
                    .Distinct(StringComparer.Ordinal)
                    .Count();
                if (watched >= maxVideoStreams)
                {
                    return false;
                }
            }

            _subscriptions.Add(subscription);
        }

        if (Room.SessionId is { } sessionId)
        {
            stats.Subscribed(sessionId, subscription);
        }

        subscription.Session.Closed.Register(() =>
        {
            lock (_sync)
            {
                _subscriptions.Remove(subscription);
            }

            stats.Ended(subscription);
        });
        return true;
    }

    /// <summary>The client muted or unmuted its camera's tracks; the intent also holds for a camera published later.</summary>
    public async Task SetMutedAsync(RoomPeer peer, bool? audioEnabled, bool? videoEnabled)
    {
        SfuPublication? camera;
        lock (_sync)
        {
            var media = Peer(peer);
            media.AudioMuted = audioEnabled is { } audio ? !audio : media.AudioMuted;
            media.VideoMuted = videoEnabled is { } video ? !video : media.VideoMuted;
            camera = media.Camera;
        }

        if (camera is not null)
        {
            ApplyMutes(peer.Id, camera);
        }

        await UpdatePeerAsync(peer).ConfigureAwait(false);
    }

    /// <summary>The peer left the room: its sources end now (their subscribers with them), and so do its subscriptions.</summary>
    public void PeerLeft(RoomPeer peer)
    {
        List<SfuPublication> publications = [];
        List<Subscription> subscriptions;
        lock (_sync)
        {
            if (_peers.Remove(peer.Id, out var media))
            {
                publications.AddRange(new[] { media.Camera, media.Screen }.OfType<SfuPublication>());
                publications.AddRange(media.Pending.Select(p => p.Publication));
            }

            subscriptions = _subscriptions.Where(s => s.SubscriberPeerId == peer.Id).ToList();
            _speakers.Remove(peer.Id);
            _recentSpeakers.Remove(peer.Id);
        }

        foreach (var publication in publications)
        {
            publication.Unpublish();
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Session.Close("the subscriber left the meeting");
        }
    }

    /// <summary>Reads every camera's audio level and says who speaks when that changes.</summary>
    public void FollowSpeakers()
    {
        string? speaker;
        lock (_sync)
        {
            var levels = _peers.Values
                .Where(p => p.Camera?.Audio is not null)
                .Select(p => (p.Peer.Id, p.Camera!.TakeAudioLevel()))
                .ToList();
            speaker = levels.Count == 0 ? null : _speakers.Update(levels);
            if (speaker is not null)
            {
                _recentSpeakers.Remove(speaker);
                _recentSpeakers.Insert(0, speaker);
            }
        }

        if (speaker is not null)
        {
            Room.SetActiveSpeaker(speaker);
        }
    }

    public void OnConnecting(SfuPublication publication)
    {
        SfuPublication? replaced = null;
        string? peerId = null;
        lock (_sync)
        {
            foreach (var media in _peers.Values)
            {
                int index = media.Pending.FindIndex(p => p.Publication == publication);
                if (index < 0)
                {
                    continue;
                }

                var source = media.Pending[index].Source;
                media.Pending.RemoveAt(index);
                replaced = source == MediaSource.Camera ? media.Camera : media.Screen;
                if (source == MediaSource.Camera)
                {
                    media.Camera = publication;
                }
                else
                {
                    media.Screen = publication;
                }

                peerId = media.Peer.Id;
                break;
            }
        }

        if (peerId is null)
        {
            publication.Close("the peer left the meeting");
            return;
        }

        // Its stream waits for this session, which takes it over without a gap for the subscribers.
        replaced?.Close("replaced by a new publish of the same source");
        ApplyMutes(peerId, publication);
    }

    public void OnTracksChanged(SfuPublication publication)
    {
        if (PeerOf(publication) is { } peer)
        {
            _ = UpdateAndTellAsync(peer);
        }
    }

    /// <summary>
    /// What the peer publishes is set, then whoever follows its tracks is told (every start, mute, renegotiation and
    /// end: a track can start without changing what the peer is said to publish, as a screen share's audio after its video).
    /// </summary>
    private async Task UpdateAndTellAsync(RoomPeer peer)
    {
        await UpdatePeerAsync(peer).ConfigureAwait(false);
        tracksChanged?.Invoke(Room, peer);
    }

    public void OnClosed(SfuPublication publication, string reason)
    {
        RoomPeer? peer = null;
        lock (_sync)
        {
            foreach (var media in _peers.Values)
            {
                media.Pending.RemoveAll(p => p.Publication == publication);
                if (media.Camera == publication)
                {
                    media.Camera = null;
                    peer = media.Peer;
                }
                else if (media.Screen == publication)
                {
                    media.Screen = null;
                    peer = media.Peer;
                }
            }
        }

        stats.Ended(publication);
        if (peer is not null)
        {
            _ = UpdateAndTellAsync(peer);
        }
    }

    private void ApplyMutes(string peerId, SfuPublication publication)
    {
        bool audioMuted;
        bool videoMuted;
        lock (_sync)
        {
            if (!_peers.TryGetValue(peerId, out var media) || media.Camera != publication)
            {
                return;
            }

            (audioMuted, videoMuted) = (media.AudioMuted, media.VideoMuted);
        }

        publication.SetMuted(video: false, audioMuted);
        publication.SetMuted(video: true, videoMuted);
    }

    private Task UpdatePeerAsync(RoomPeer peer)
    {
        bool audio;
        bool video;
        bool screenshare;
        lock (_sync)
        {
            var media = _peers.GetValueOrDefault(peer.Id);
            audio = media?.Camera?.Audio is { Forwarding: true };
            video = media?.Camera?.Video is { Forwarding: true };
            screenshare = media?.Screen is { } screen && (screen.Video is { Forwarding: true } || screen.Audio is { Forwarding: true });
        }

        return Room.SetPeerMediaAsync(peer, audio, video, screenshare);
    }

    private RoomPeer? PeerOf(SfuPublication publication)
    {
        lock (_sync)
        {
            return _peers.Values.FirstOrDefault(m => m.Camera == publication || m.Screen == publication)?.Peer;
        }
    }

    private PeerMedia Peer(RoomPeer peer)
    {
        if (!_peers.TryGetValue(peer.Id, out var media))
        {
            media = new PeerMedia(peer);
            _peers.Add(peer.Id, media);
        }

        return media;
    }

    private sealed class PeerMedia(RoomPeer peer)
    {
        public RoomPeer Peer { get; } = peer;

        public SfuPublication? Camera { get; set; }

        public SfuPublication? Screen { get; set; }

        public List<(MediaSource Source, SfuPublication Publication)> Pending { get; } = [];

        public bool AudioMuted { get; set; }

        public bool VideoMuted { get; set; }

        public bool IsPublishing => Camera is not null || Screen is not null || Pending.Count > 0;
    }
}

/// <summary>One peer watching another's source: the forwarding session, who is on each end (<paramref name="Own"/>: the same participant).</summary>
public sealed record Subscription(
    ForwardingWhepSession Session, string SubscriberParticipantId, string SubscriberPeerId, string PublisherPeerId, MediaSource Source, bool HasVideo, bool Own);
