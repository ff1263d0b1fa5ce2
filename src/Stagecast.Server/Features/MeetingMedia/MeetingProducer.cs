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

public enum ProducerChange
{
    Created,
    Toggled,
    Closed,
}

/// <summary>
/// One peer receiving another's source (or its own: <paramref name="Own"/>, the same participant), whichever front
/// end: a WHEP subscription (its audio and video), or a RealtimeKit consumer (one track). <paramref name="Figures"/>
/// gives its tracks' figures for the session's media report; <paramref name="Closed"/> fires when it ends (with its
/// transport at the latest).
/// </summary>
public sealed record MeetingConsumer(
    string Id, string SubscriberParticipantId, string SubscriberPeerId, string PublisherPeerId, MediaSource Source, bool HasVideo, bool Own,
    Func<IEnumerable<ConsumedTrack>> Figures, CancellationToken Closed);

/// <summary>A peer's WebRTC connection into its meeting's router; <paramref name="Producing"/> when the peer sends on it.</summary>
public sealed record MeetingTransport(RoomPeer Peer, WebRtcSession Session, bool Producing)
{
    public string Id => Session.Id;
}

/// <summary>What one consumed track sent its subscriber so far (loss and jitter as its receiver reports say, when it sends them).</summary>
public sealed record ConsumedTrack(string Id, bool Video, RtpCodec Codec, uint Ssrc, long Packets, long Octets, long Lost, double? JitterMs);
