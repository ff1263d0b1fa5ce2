using System.Diagnostics.CodeAnalysis;
using Stagecast.Server.Features.Rooms;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>
/// One track a peer sends into its meeting's router, whichever front end it came through: its microphone or camera,
/// or its screen share's audio or video, in <paramref name="codec"/>, to the peer's stream of that source. A front end
/// that declares its tracks (RealtimeKit's <c>produce</c>) makes it with the m-line <paramref name="mid"/> the client
/// put it on and the client's <paramref name="appData"/>; a WHIP publish's tracks are made producers by the router as
/// they start to flow (no mid). Paused is muted.
/// </summary>
public sealed class MeetingProducer(RoomPeer peer, MeetingStreamKey stream, bool video, string mid, RtpCodec codec, string transportId, string? appData, bool paused)
{
    private static long _created;

    public string Id { get; } = Guid.NewGuid().ToString();

    public RoomPeer Peer { get; } = peer;

    public MeetingStreamKey Stream { get; } = stream;

    public MediaSource Source => Stream.Source;

    public bool Video { get; } = video;

    public bool ScreenShare => Source == MediaSource.Screenshare;

    public string Mid { get; } = mid;

    /// <summary>The id of the connection it comes on (the publisher's session or publication).</summary>
    public string TransportId { get; } = transportId;

    public RtpCodec Codec { get; } = codec;

    /// <summary>What the producing client attached to it, if it is a client that does (RealtimeKit's JSON app data).</summary>
    public string? AppData { get; } = appData;

    public bool Paused { get; internal set; } = paused;

    /// <summary>The order producers were made in, for listing a peer's.</summary>
    public long Created { get; } = Interlocked.Increment(ref _created);
}

/// <summary>
/// A producer was created, paused or resumed, or closed: told to the room, and each front end tells its clients in its
/// own words. <paramref name="By"/>: another peer did it (a host turning the producer's peer off).
/// </summary>
public sealed record ProducerChanged(MeetingProducer Producer, ProducerChange Change, RoomPeer? By = null) : RoomEvent;

/// <summary>
/// How many of the videos a peer watches over meeting WHEP are paused now because its own downlink cannot carry them
/// (its connections' estimates, <c>SubscriberDownlink</c>): told to that peer alone, on every change.
/// </summary>
public sealed record DownlinkChanged(int PausedVideos) : RoomEvent;

public enum ProducerChange
{
    Created,
    Toggled,
    Closed,
}

/// <summary>
/// One peer receiving a source of its meeting (another peer's, or its own peer's video: <see cref="Own"/>), whichever
/// front end: a WHEP subscription (its audio and video), or a RealtimeKit consumer (one track). The router makes it
/// (<see cref="MeetingRouter.TryConsume"/>) by the one rule every subscriber is held to, and from then on it holds its
/// place among its subscriber's <c>max_video_streams</c>; the router attaches what carries it (<see cref="Attach"/>),
/// or gives it back (<see cref="Release"/>) when it could not make that. It is the router's
/// seat of one subscriber's reception of one source: where what the subscriber is sent is decided.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A CancellationTokenSource with no timer and no links holds nothing to dispose; it is cancelled when the consumer ends")]
public sealed class MeetingConsumer
{
    private readonly CancellationTokenSource _closed = new();
    private Func<IEnumerable<ConsumedTrack>> _figures = () => [];

    internal MeetingConsumer(RoomPeer subscriber, RoomPeer publisher, MediaSource source, bool video)
    {
        Subscriber = subscriber;
        Publisher = publisher;
        Source = source;
        HasVideo = video;
    }

    /// <summary>The id of what carries it (a WHEP session, a RealtimeKit receive transport's m-line); empty until attached.</summary>
    public string Id { get; private set; } = "";

    public RoomPeer Subscriber { get; }

    public RoomPeer Publisher { get; }

    public string SubscriberParticipantId => Subscriber.Participant.Id;

    public string SubscriberPeerId => Subscriber.Id;

    public string PublisherPeerId => Publisher.Id;

    public MediaSource Source { get; }

    /// <summary>Whether it receives video (counted against the subscriber's <c>max_video_streams</c>, unless <see cref="Own"/>).</summary>
    public bool HasVideo { get; }

    /// <summary>The subscriber and the publisher are the same participant.</summary>
    public bool Own => Subscriber.Participant.Id == Publisher.Participant.Id;

    /// <summary>Its tracks' figures, for the session's media report.</summary>
    public IEnumerable<ConsumedTrack> Figures() => _figures();

    /// <summary>Fires when it ends: released, or what carries it closed.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>What carries it: its id, its figures, and when it closes (it ends then).</summary>
    internal void Attach(string id, Func<IEnumerable<ConsumedTrack>> figures, CancellationToken carrierClosed)
    {
        (Id, _figures) = (id, figures);
        carrierClosed.Register(Release);
    }

    /// <summary>Ends it: its place among the subscriber's video streams is free again.</summary>
    public void Release()
    {
        _closed.Cancel();
    }
}

/// <summary>Why a consumer was not made (<see cref="MeetingRouter.TryConsume"/>); each front end words it.</summary>
public enum ConsumeRefusal
{
    /// <summary>The publishing peer is not in the room, or is hidden from the subscriber.</summary>
    NotFound,

    /// <summary>A peer does not hear its own audio.</summary>
    OwnAudio,

    /// <summary>The subscriber receives video of as many other peers as its <c>max_video_streams</c> allows.</summary>
    TooManyVideoStreams,

    /// <summary>The producer's media does not flow yet.</summary>
    NotFlowing,

    /// <summary>The subscriber's receive transport takes none of the producer's codec.</summary>
    NoCodec,

    /// <summary>The subscriber's receive transport has as many m-lines as it takes.</summary>
    TransportFull,
}

/// <summary>
/// A peer's WebRTC connection into its meeting's router; <paramref name="Producing"/> when the peer sends on it;
/// <paramref name="Lasting"/> when it outlives one offer and the socket it was made on (a RealtimeKit client's send or
/// receive transport: a client of the peer coming back on a new socket goes on with it).
/// </summary>
public sealed record MeetingTransport(RoomPeer Peer, WebRtcSession Session, bool Producing, bool Lasting = false)
{
    public string Id => Session.Id;
}

/// <summary>
/// What one consumed track sent its subscriber so far (loss and jitter as its receiver reports say, when it sends
/// them) and, with congestion control, how its subscriber's connection allocated it: the simulcast layer (RID) it reads
/// last, its layer switches and pauses, and the connection's downlink estimate (bit/s; null before any feedback).
/// </summary>
public sealed record ConsumedTrack(
    string Id, bool Video, RtpCodec Codec, uint Ssrc, long Packets, long Octets, long Lost, double? JitterMs,
    string? Layer = null, long LayerSwitches = 0, long Pauses = 0, long? EstimateBps = null);
