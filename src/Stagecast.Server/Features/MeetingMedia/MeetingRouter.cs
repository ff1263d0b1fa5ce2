using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.Streaming;
using Stagecast.WebRtc.Congestion;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whep;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>
/// The SFU core of one meeting room, in mediasoup's words its router; every front end (WHIP and WHEP for stagecast.js
/// and the meeting page, RealtimeKit's socket) only translates into it. It holds each peer's publications (one per
/// source; a new one replaces the old when it connects), the producers (each track a peer sends, whichever front end
/// it came through), the consumers (WHEP subscriptions, RealtimeKit consumers) and the transports they travel on (each
/// peer's WebRTC connections, closed when it leaves); it admits publishers and consumers
/// by one set of rules (<see cref="MeetingAdmission"/>, <see cref="AdmitPublisher"/>, <see cref="TryConsume"/>),
/// tells the room of every producer created, paused or closed (<see cref="ProducerChanged"/>: each front end words it
/// for its clients), sets what each peer publishes from the media that flows, mutes at a client's word, follows who
/// speaks, and counts every consumer in the session's media figures. The compositor and the recorders read the
/// streams it names (<see cref="VisibleSources"/>).
/// </summary>
public sealed class MeetingRouter : ISfuPublisherListener
{
    private readonly MeetingMediaOptions _options;
    private readonly MeetingTransports _maker;
    private readonly StreamHub _hub;
    private readonly MeetingMediaStats _stats;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, PeerMedia> _peers = new(StringComparer.Ordinal);
    private readonly List<MeetingConsumer> _consumers = [];
    private readonly List<MeetingTransport> _transports = [];
    private readonly ActiveSpeakerDetector _speakers;
    private readonly List<string> _recentSpeakers = [];

    // Producers change, and the room hears of it, under one lock of their own, so the room hears the changes of a
    // producer in the order they were made.
    private readonly Lock _producing = new();
    private readonly Dictionary<string, MeetingProducer> _producers = new(StringComparer.Ordinal);

    internal MeetingRouter(IMediaRoom room, MeetingMediaOptions options, MeetingTransports transports, StreamHub hub, MeetingMediaStats stats, TimeProvider time)
    {
        Room = room;
        (_options, _maker, _hub, _stats) = (options, transports, hub, stats);
        _speakers = new(time);
    }

    public string MeetingId => Room.MeetingId;

    internal IMediaRoom Room { get; }

    /// <summary>
    /// What <see cref="VisibleSources"/> lists may have changed: a source connected or ended, a peer left or was sent off
    /// the stage, the speakers' order changed. Raised outside the router's locks; a handler must not block.
    /// </summary>
    public event Action<MeetingRouter>? SourcesChanged;

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

    public IReadOnlyList<MeetingConsumer> Consumers
    {
        get
        {
            lock (_sync)
            {
                return [.. _consumers];
            }
        }
    }

    /// <summary>The peers' WebRTC connections into the router, of every front end.</summary>
    public IReadOnlyList<MeetingTransport> Transports
    {
        get
        {
            lock (_sync)
            {
                return [.. _transports];
            }
        }
    }

    /// <summary>The publication of a peer's source now, if it has one connected.</summary>
    public SfuPublication? PublicationOf(MeetingStreamKey stream)
    {
        lock (_sync)
        {
            return _peers.GetValueOrDefault(stream.PeerId) is { } media
                ? stream.Source == MediaSource.Camera ? media.Camera : media.Screen
                : null;
        }
    }

    /// <summary>
    /// Layer choice: the streams a video consumer of <paramref name="stream"/> reads, in the order it tries them while
    /// the one before stops: the simulcast layer <paramref name="preferredRid"/> names (the camera's first when it
    /// names none that is sent), then the smaller ones, then the larger, nearest first (the RIDs' ordinal order goes
    /// from large to small, as RealtimeKit's f, h, q). Empty for a stream without layers: the consumer reads it alone.
    /// </summary>
    public IReadOnlyList<HubStream> LayersOf(HubStream stream, string? preferredRid)
    {
        var camera = Publications.FirstOrDefault(p => p.StreamId == stream.Id);
        if (camera?.Video?.Rid is not { } first)
        {
            return [];
        }

        List<(string Rid, HubStream Stream)> layers =
        [
            (first, stream),
            .. camera.Layers.Select(l => (Rid: l.Video?.Rid, Stream: _hub.Find(l.StreamId)))
                .Where(l => l is { Rid: not null, Stream.State: not HubStreamState.Ended }).Select(l => (l.Rid!, l.Stream!)),
        ];
        return NearestFirst(layers, preferredRid is not null && layers.Exists(l => l.Rid == preferredRid) ? preferredRid : first);
    }

    /// <summary>
    /// The layers in the order a consumer tries them: <paramref name="preferred"/>'s, then those after it in ordinal
    /// order of their RIDs (smaller), then those before it, nearest first (larger).
    /// </summary>
    internal static List<T> NearestFirst<T>(IEnumerable<(string Rid, T Layer)> layers, string preferred)
    {
        var sorted = layers.OrderBy(l => l.Rid, StringComparer.Ordinal).ToList();
        int at = Math.Max(0, sorted.FindIndex(l => l.Rid == preferred));
        return [.. sorted[at..].Select(l => l.Layer), .. sorted[..at].Select(l => l.Layer).Reverse()];
    }

    /// <summary>
    /// The connected sources of peers the program may show: those on the stage (every peer of a group call; in a
    /// webinar, livestream or audio room only who is on it now, never the audience) and not hidden: cameras of the most
    /// recent speakers first, then the others in the order they joined, then screen shares. A peer sent off the stage
    /// leaves it at once, whatever is left of its sources.
    /// </summary>
    public IReadOnlyList<(RoomPeer Peer, MediaSource Source)> VisibleSources()
    {
        lock (_sync)
        {
            var peers = _peers.Values.Where(p => !p.Peer.Hidden && p.Peer.Stage == StageStatus.OnStage)
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

    /// <summary>
    /// Refuses (403) a peer that is not on the stage (<see cref="RoomStage.RequireOnStage"/>), and (409) one that would
    /// be one publishing peer too many (<see cref="MeetingMediaOptions.MaxPublishersPerMeeting"/>); a peer that publishes
    /// already may publish more.
    /// </summary>
    public void AdmitPublisher(RoomPeer peer)
    {
        RoomStage.RequireOnStage(peer);
        int most = _options.MaxPublishersPerMeeting;
        lock (_sync)
        {
            if (!(_peers.GetValueOrDefault(peer.Id)?.IsPublishing ?? false) && _peers.Values.Count(p => p.IsPublishing) >= most)
            {
                throw new DomainException(DomainError.Conflict, $"the meeting has {most} publishing peers, the most it takes (Stagecast:MeetingMedia:MaxPublishersPerMeeting)");
            }
        }
    }

    /// <summary>
    /// A peer's WHIP publish of <paramref name="source"/> (admitted: <see cref="AdmitPublisher"/>): the router makes the
    /// publishing connection, keeps it as the peer's transport and the source's next publication, and makes its tracks
    /// the peer's producers as they flow. The front end registers it with the WebRTC server and answers.
    /// </summary>
    public SfuPublisher Publish(RoomPeer peer, MediaSource source, SdpSessionDescription offer, PublishNegotiation negotiation, string clientAddress)
    {
        var publisher = _maker.Publisher(offer, negotiation, clientAddress, new MeetingStreamKey(Room.MeetingId, peer.Id, source), this);
        AddPublication(peer, source, publisher.Publication);
        AddTransport(peer, publisher, producing: true);
        return publisher;
    }

    /// <summary>
    /// A WHEP subscription of <paramref name="subscriber"/> to <paramref name="publisher"/>'s <paramref name="source"/>
    /// (its hub stream <paramref name="stream"/>): a consumer by the one rule (<see cref="TryConsume"/>) carried on a
    /// connection the router makes, or null with why.
    /// </summary>
    public ForwardingWhepSession? Subscribe(RoomPeer subscriber, RoomPeer publisher, MediaSource source, HubStream stream, SdpSessionDescription offer,
        WhepNegotiation negotiation, string clientAddress, out ConsumeRefusal refusal)
    {
        if (TryConsume(subscriber, publisher, source, negotiation.Video is not null, negotiation.Audio is not null, out refusal) is not { } consumer)
        {
            return null;
        }

        var session = _maker.Subscription(offer, negotiation, clientAddress, stream, LayersOf(stream, preferredRid: null));
        Attach(consumer, session.Id, () => session.Consumers.Select(track => Figures($"{session.Id}-{(track.Video ? "v" : "a")}", track, session.Estimate)), session.Closed);
        AddTransport(subscriber, session, producing: false);
        if (session.Video is { } video)
        {
            video.PausedChanged += _ => TellDownlink(subscriber);
            session.Closed.Register(() =>
            {
                if (video.Paused)
                {
                    TellDownlink(subscriber); // a paused video it no longer watches
                }
            });
        }

        return session;
    }

    /// <summary>
    /// Tells <paramref name="subscriber"/> how many of the videos it watches over WHEP its downlink has paused now
    /// (<see cref="DownlinkChanged"/>): the one thing its client cannot see for itself, a picture that stopped cleanly
    /// showing no loss and no freeze. Counted and told under the router's lock, so the counts reach it in order.
    /// </summary>
    private void TellDownlink(RoomPeer subscriber)
    {
        lock (_sync)
        {
            int paused = _transports.Count(t => t.Peer == subscriber && !t.Session.IsClosed && t.Session is ForwardingWhepSession { Video.Paused: true });
            subscriber.Notify(new DownlinkChanged(paused));
        }
    }

    /// <summary>
    /// A RealtimeKit consumer: <paramref name="subscriber"/> receives <paramref name="producer"/>'s track on its receive
    /// transport, as a consumer by the one rule (<see cref="TryConsume"/>) on a new m-line the router adds to it, its
    /// msid <c>{peer} {producer}</c> (the stream a client files the track under, and the track's id). Null, with why,
    /// when not made.
    /// </summary>
    public SfuConsumer? Consume(RoomPeer subscriber, MeetingProducer producer, SfuReceiveSession receive, out ConsumeRefusal refusal)
    {
        if (TryConsume(subscriber, producer.Peer, producer.Source, producer.Video, !producer.Video, out refusal) is not { } consumer)
        {
            return null;
        }

        var stream = _hub.Find(producer.Stream.HubId);
        var codec = receive.ReceivingCodec(producer.Video ? "video" : "audio", producer.Codec.Name);
        var track = stream is null || codec is null ? null : receive.Add(stream, producer.Video, codec, $"{producer.Peer.Id} {producer.Id}");
        refusal = stream is null ? ConsumeRefusal.NotFlowing : codec is null ? ConsumeRefusal.NoCodec : track is null ? ConsumeRefusal.TransportFull : default;
        if (track is null)
        {
            consumer.Release();
            return null;
        }

        string id = $"{receive.Id}-{track.Mid}";
        Attach(consumer, id, () => [Figures(id, track, receive.Estimate)], track.Closed);
        return track;
    }

    /// <summary>
    /// A consumed track's figures: what it sent, what the subscriber's receiver reports say it lost, the layer it reads
    /// and how its connection's downlink (<paramref name="estimate"/>) allocated it.
    /// </summary>
    private ConsumedTrack Figures(string id, SfuConsumer track, DownlinkFigures? estimate) =>
        new(id, track.Video, track.Codec, track.Ssrc, track.Sent.Packets, track.Sent.Octets, Math.Max(0, track.Report?.CumulativeLost ?? 0),
            track.Report is { } report ? Math.Round(report.Jitter * 1000.0 / track.Codec.ClockRate, 1) : null,
            track.Video ? RidOf(track.Reading) : null, track.LayerSwitches, track.Pauses, estimate?.EstimateBps);

    /// <summary>The simulcast layer (RID) <paramref name="stream"/> carries, of whichever camera; null for a stream without layers.</summary>
    private string? RidOf(HubStream stream) =>
        Publications.SelectMany(p => p.Layers.Prepend(p)).FirstOrDefault(p => p.StreamId == stream.Id)?.Video?.Rid;

    /// <summary>
    /// A new publication of a peer's source: it replaces the peer's current one of that source once it connects. With
    /// <paramref name="declaresProducers"/> its front end declares the producers (<see cref="Produce"/>);
    /// otherwise each of its tracks becomes a producer as it starts to flow.
    /// </summary>
    public void AddPublication(RoomPeer peer, MediaSource source, SfuPublication publication, bool declaresProducers = false)
    {
        lock (_sync)
        {
            var media = Peer(peer);
            media.Pending.Add((source, publication));
            media.DeclaresProducers = declaresProducers;
        }

        if (peer.Stage != StageStatus.OnStage)
        {
            publication.Unpublish(); // sent off the stage since it was admitted: StageLeft may have missed it
        }

        if (Room.SessionId is { } sessionId)
        {
            _stats.Publishing(sessionId, peer.Id, source, publication);
        }
    }

    /// <summary>
    /// A peer's WebRTC connection joins the router: a WHIP publish or RealtimeKit's send transport (producing), a WHEP
    /// subscription or RealtimeKit's receive transport (RealtimeKit's are <paramref name="lasting"/>). It leaves the
    /// router when it closes, and closes when its peer leaves the room (at once, if the peer left already).
    /// </summary>
    public void AddTransport(RoomPeer peer, WebRtcSession session, bool producing, bool lasting = false)
    {
        lock (_sync)
        {
            if (_transports.Exists(t => t.Session == session))
            {
                return;
            }

            _transports.Add(new MeetingTransport(peer, session, producing, lasting));
        }

        session.Closed.Register(() =>
        {
            lock (_sync)
            {
                _transports.RemoveAll(t => t.Session == session);
            }
        });
        if (!Room.Peers.Contains(peer))
        {
            session.Close("the peer left the meeting");
        }
    }

    /// <summary>
    /// The peer's lasting transports that are open, the newest of each direction: what a client of the peer that comes
    /// back on a new socket without transports of its own goes on with (the SDK keeps transports that stayed connected).
    /// </summary>
    public (WebRtcSession? Send, SfuReceiveSession? Receive) LastingTransportsOf(RoomPeer peer)
    {
        lock (_sync)
        {
            var open = _transports.Where(t => t.Peer == peer && t.Lasting && !t.Session.IsClosed).ToList();
            return (open.LastOrDefault(t => t.Producing)?.Session, open.LastOrDefault(t => !t.Producing)?.Session as SfuReceiveSession);
        }
    }

    /// <summary>
    /// A client of the peer made lasting transports of its own (<paramref name="kept"/>): the peer's others end, and what
    /// was produced on them closes (the room is told) with its streams.
    /// </summary>
    public void ReplaceLastingTransports(RoomPeer peer, IReadOnlyCollection<WebRtcSession> kept, string reason)
    {
        List<WebRtcSession> replaced;
        lock (_sync)
        {
            replaced = [.. _transports.Where(t => t.Peer == peer && t.Lasting && !kept.Contains(t.Session)).Select(t => t.Session)];
        }

        foreach (var session in replaced)
        {
            foreach (var producer in ProducersOf(peer).Where(p => p.TransportId == session.Id))
            {
                CloseProducer(producer);
            }

            foreach (var publication in (session as SfuPublisher)?.Publications ?? [])
            {
                publication.Unpublish();
            }

            session.Close(reason);
        }
    }

    /// <summary>The peer's producers, oldest first.</summary>
    public IReadOnlyList<MeetingProducer> ProducersOf(RoomPeer peer)
    {
        lock (_producing)
        {
            return [.. _producers.Values.Where(p => ReferenceEquals(p.Peer, peer)).OrderBy(p => p.Created)];
        }
    }

    public MeetingProducer? FindProducer(string producerId)
    {
        lock (_producing)
        {
            return _producers.GetValueOrDefault(producerId);
        }
    }

    /// <summary>
    /// A producer a front end declares (RealtimeKit's <c>produce</c>): the track on m-line <paramref name="mid"/> of
    /// <paramref name="transportId"/>, to the peer's <paramref name="stream"/>; the room is told.
    /// </summary>
    public MeetingProducer Produce(RoomPeer peer, MeetingStreamKey stream, bool video, string mid, RtpCodec codec, string transportId, string? appData, bool paused)
    {
        var producer = new MeetingProducer(peer, stream, video, mid, codec, transportId, appData, paused);
        lock (_producing)
        {
            _producers[producer.Id] = producer;
            Room.Publish(new ProducerChanged(producer, ProducerChange.Created), null, null);
        }

        if (producer.Peer.Stage != StageStatus.OnStage)
        {
            CloseProducer(producer); // sent off the stage since it was admitted: StageLeft may have missed it
        }

        return producer;
    }

    /// <summary>Pauses or resumes a producer; the room is told.</summary>
    public void SetPaused(MeetingProducer producer, bool paused, RoomPeer? by = null)
    {
        lock (_producing)
        {
            producer.Paused = paused;
            if (_producers.ContainsKey(producer.Id))
            {
                Room.Publish(new ProducerChanged(producer, ProducerChange.Toggled, by), null, null);
            }
        }
    }

    /// <summary>
    /// A host turns another peer's microphone or camera off (RealtimeKit's <c>disable_participant_audio</c>/<c>_video</c>):
    /// its producers of that kind pause, told to the room as <paramref name="host"/>'s doing (the peer's client then
    /// turns the track off itself), and its camera's track is muted, so nothing of it is forwarded whatever its client does.
    /// </summary>
    public async Task HostMuteAsync(RoomPeer peer, bool audio, bool video, RoomPeer host)
    {
        foreach (var producer in ProducersOf(peer).Where(p => !p.ScreenShare && !p.Paused && (p.Video ? video : audio)))
        {
            SetPaused(producer, true, host);
        }

        await Room.SetMutedAsync(peer, audio ? false : null, video ? false : null).ConfigureAwait(false);
    }

    /// <summary>Closes a producer; the room is told unless <paramref name="announce"/> is false (its peer is leaving, which the room hears).</summary>
    public void CloseProducer(MeetingProducer producer, bool announce = true)
    {
        lock (_producing)
        {
            if (_producers.Remove(producer.Id) && announce)
            {
                Room.Publish(new ProducerChanged(producer, ProducerChange.Closed), null, null);
            }
        }
    }

    /// <summary>
    /// A consumer of <paramref name="publisher"/>'s <paramref name="source"/> for <paramref name="subscriber"/>, made by
    /// the one rule every front end's subscribers are held to, checked and taken in one step under the router's lock: the
    /// publishing peer in the room and seen (a hidden peer's media is its own participant's alone), never a participant's
    /// own audio, and video within the subscriber's <c>max_video_streams</c> (the other peers it receives video of now,
    /// through any front end; its own peers do not count, nor a peer whose video it receives already). Null, with why,
    /// when not made. What carries it is attached (<see cref="Attach"/>) or it is released; it holds its place from now
    /// on, and leaves the router when it is released or what carries it closes.
    /// </summary>
    internal MeetingConsumer? TryConsume(RoomPeer subscriber, RoomPeer publisher, MediaSource source, bool video, bool audio, out ConsumeRefusal refusal)
    {
        var consumer = new MeetingConsumer(subscriber, publisher, source, video);
        lock (_sync)
        {
            if (!Room.Peers.Contains(publisher) || (publisher.Hidden && !consumer.Own))
            {
                refusal = ConsumeRefusal.NotFound;
                return null;
            }

            if (audio && consumer.Own)
            {
                refusal = ConsumeRefusal.OwnAudio;
                return null;
            }

            if (video && !consumer.Own && !MayReceiveVideoLocked(subscriber.Participant.Id, publisher.Id, subscriber.Permissions.MaxVideoStreams))
            {
                refusal = ConsumeRefusal.TooManyVideoStreams;
                return null;
            }

            _consumers.Add(consumer);
        }

        consumer.Closed.Register(() =>
        {
            lock (_sync)
            {
                _consumers.Remove(consumer);
            }

            _stats.Ended(consumer);
        });
        refusal = default;
        return consumer;
    }

    /// <summary>
    /// What carries a consumer the router made (its id, its tracks' figures, and when it closes): it is counted in the
    /// session's media figures from now on.
    /// </summary>
    private void Attach(MeetingConsumer consumer, string id, Func<IEnumerable<ConsumedTrack>> figures, CancellationToken closed)
    {
        consumer.Attach(id, figures, closed);
        if (Room.SessionId is { } sessionId && !consumer.Closed.IsCancellationRequested)
        {
            _stats.Subscribed(sessionId, consumer);
        }
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

    /// <summary>
    /// The peer left the room: its sources end now (their subscribers with them), its producers go, and its transports
    /// close, its consumers with them.
    /// </summary>
    public void PeerLeft(RoomPeer peer)
    {
        List<SfuPublication> publications = [];
        List<MeetingTransport> transports;
        lock (_sync)
        {
            if (_peers.Remove(peer.Id, out var media))
            {
                publications = media.All;
            }

            transports = _transports.Where(t => t.Peer == peer).ToList();
            _speakers.Remove(peer.Id);
            _recentSpeakers.Remove(peer.Id);
        }

        EndProduction(peer, publications, announce: false);
        foreach (var transport in transports)
        {
            transport.Session.Close("the peer left the meeting");
        }

        SourcesChanged?.Invoke(this);
    }

    /// <summary>
    /// The peer left the stage (or was sent off it): its producers close and its sources end now, and the room is told
    /// (as of a peer that stops publishing); what it consumes goes on.
    /// </summary>
    public void StageLeft(RoomPeer peer)
    {
        List<SfuPublication> publications;
        lock (_sync)
        {
            publications = _peers.GetValueOrDefault(peer.Id)?.All ?? [];
        }

        EndProduction(peer, publications, announce: true);
        SourcesChanged?.Invoke(this);
    }

    private void EndProduction(RoomPeer peer, List<SfuPublication> publications, bool announce)
    {
        foreach (var producer in ProducersOf(peer))
        {
            CloseProducer(producer, announce);
        }

        foreach (var publication in publications)
        {
            publication.Unpublish();
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
            SourcesChanged?.Invoke(this);
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

    public void OnPublished(SfuPublication publication)
    {
        if (PeerOf(publication) is not null)
        {
            SourcesChanged?.Invoke(this);
        }
    }

    public void OnTracksChanged(SfuPublication publication)
    {
        if (PeerOf(publication) is { } peer)
        {
            _ = UpdatePeerAsync(peer);
            SourcesChanged?.Invoke(this); // a source's audio came or went: what follows it (transcripts, the program) looks again
        }
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

        _stats.Ended(publication);
        if (peer is not null)
        {
            _ = UpdatePeerAsync(peer);
            SourcesChanged?.Invoke(this);
        }
    }

    /// <summary>Whether the participant may receive the peer's video too (<see cref="TryConsume"/>'s count of video streams).</summary>
    private bool MayReceiveVideoLocked(string subscriberParticipantId, string publisherPeerId, int maxVideoStreams) =>
        _consumers.Where(c => c.HasVideo && !c.Own && c.SubscriberParticipantId == subscriberParticipantId)
            .Select(c => c.PublisherPeerId)
            .Where(p => p != publisherPeerId)
            .Distinct(StringComparer.Ordinal)
            .Count() < maxVideoStreams;

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

    /// <summary>
    /// What the peer publishes is set from the tracks that flow, and the producers of a peer whose tracks are not
    /// declared follow them (every start, mute, renegotiation and end).
    /// </summary>
    private Task UpdatePeerAsync(RoomPeer peer)
    {
        bool audio;
        bool video;
        bool screenshare;
        bool declared;
        SfuPublication? camera;
        SfuPublication? screen;
        lock (_sync)
        {
            var media = _peers.GetValueOrDefault(peer.Id);
            (camera, screen, declared) = (media?.Camera, media?.Screen, media?.DeclaresProducers ?? false);
            audio = camera?.Audio is { Forwarding: true };
            video = camera?.Video is { Forwarding: true };
            screenshare = screen is { } s && (s.Video is { Forwarding: true } || s.Audio is { Forwarding: true });
        }

        if (!declared)
        {
            FollowTracks(peer, camera, screen);
        }

        return Room.SetPeerMediaAsync(peer, audio, video, screenshare);
    }

    /// <summary>
    /// Brings the producers of a peer that declares none (a WHIP publisher) in line with its publications' tracks: a
    /// track that flows is a producer (a new publication or codec, a new one), a muted one is paused, a gone one closed.
    /// </summary>
    private void FollowTracks(RoomPeer peer, SfuPublication? camera, SfuPublication? screen)
    {
        lock (_producing)
        {
            foreach (var (source, publication) in new[] { (MediaSource.Camera, camera), (MediaSource.Screenshare, screen) })
            {
                var live = publication is { IsClosed: false } && Room.Peers.Contains(peer) ? publication : null;
                foreach (bool video in new[] { false, true })
                {
                    FollowTrack(peer, new MeetingStreamKey(Room.MeetingId, peer.Id, source), video, live);
                }
            }
        }
    }

    private void FollowTrack(RoomPeer peer, MeetingStreamKey stream, bool video, SfuPublication? publication)
    {
        var track = publication is null ? null : video ? publication.Video : publication.Audio;
        var current = _producers.Values.FirstOrDefault(p => ReferenceEquals(p.Peer, peer) && p.Video == video && p.Source == stream.Source);
        if (current is not null && (track?.StartedAt is null || current.TransportId != publication!.Id || !ReferenceEquals(current.Codec, track.Codec)))
        {
            _producers.Remove(current.Id);
            Room.Publish(new ProducerChanged(current, ProducerChange.Closed), null, null);
            current = null;
        }

        if (track?.StartedAt is null)
        {
            return;
        }

        if (current is null)
        {
            var producer = new MeetingProducer(peer, stream, video, "", track.Codec, publication!.Id, null, track.Muted);
            _producers.Add(producer.Id, producer);
            Room.Publish(new ProducerChanged(producer, ProducerChange.Created), null, null);
        }
        else if (current.Paused != track.Muted)
        {
            current.Paused = track.Muted;
            Room.Publish(new ProducerChanged(current, ProducerChange.Toggled), null, null);
        }
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

        /// <summary>Its front end makes its producers (RealtimeKit); otherwise they follow its tracks.</summary>
        public bool DeclaresProducers { get; set; }

        public bool AudioMuted { get; set; }

        public bool VideoMuted { get; set; }

        public bool IsPublishing => Camera is not null || Screen is not null || Pending.Count > 0;

        /// <summary>Its publications, connected and pending.</summary>
        public List<SfuPublication> All => [.. new[] { Camera, Screen }.OfType<SfuPublication>(), .. Pending.Select(p => p.Publication)];
    }
}

/// <summary>
/// What a meeting peer's preset lets it send into the router, in one place for every front end: the answer policy of
/// a publishing connection, and whether a track of a source and kind may be produced (with the refusal's words). A
/// preset with a stage allows what its peers may produce on it (CAN_REQUEST too); whether the peer is on it now is
/// the router's to check (<see cref="MeetingRouter.AdmitPublisher"/>).
/// </summary>
public static class MeetingAdmission
{
    /// <summary>The policy of a connection publishing <paramref name="source"/> (a meeting WHIP publish).</summary>
    public static PublishPolicyFor Policy(PresetPermissions may, MediaSource source) => source == MediaSource.Camera
        ? new(new(PreferVp8: true, AllowAudio: may.MayProduceAudio, AllowVideo: may.MayProduceVideo, AudioLevels: true), "your preset does not allow producing audio or video")
        : new(new(PreferVp8: true, AllowAudio: may.MayProduceScreenshare, AllowVideo: may.MayProduceScreenshare), "your preset does not allow sharing the screen");

    /// <summary>The policy of a connection carrying any source (RealtimeKit's send transport): each track is checked as it is produced.</summary>
    public static PublishPolicyFor Policy(PresetPermissions may) =>
        new(new(PreferVp8: true, AllowAudio: may.MayProduceAudio || may.MayProduceScreenshare, AllowVideo: may.MayProduceVideo || may.MayProduceScreenshare, AudioLevels: true),
            "your preset does not allow producing audio, video or a screen share");

    /// <summary>Refuses (403) a track of <paramref name="source"/> the preset does not allow.</summary>
    public static void CheckProduce(PresetPermissions may, MediaSource source, bool video)
    {
        bool allowed = source == MediaSource.Screenshare ? may.MayProduceScreenshare : video ? may.MayProduceVideo : may.MayProduceAudio;
        if (!allowed)
        {
            throw new DomainException(DomainError.Forbidden,
                $"your preset does not allow producing {(source == MediaSource.Screenshare ? "a screen share" : video ? "video" : "audio")}");
        }
    }
}

/// <summary>A publishing connection's answer policy, and what a refusal says when it allows nothing (<see cref="Check"/>).</summary>
public sealed record PublishPolicyFor(PublishPolicy Policy, string Refusal)
{
    public bool AllowsAny => Policy.AllowAudio || Policy.AllowVideo;

    /// <summary>Refuses (403) a connection that may publish nothing.</summary>
    public void Check()
    {
        if (!AllowsAny)
        {
            throw new DomainException(DomainError.Forbidden, Refusal);
        }
    }
}
