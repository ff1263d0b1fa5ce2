using Microsoft.Extensions.Logging;
using Stagecast.Streaming;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whip;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// A publisher on a connection that outlives one offer, as RealtimeKit's send transport does: the client connects
/// before it has joined the meeting (so before the stream it will publish to is known) and offers again each time it
/// adds or stops a track. It is made unattached, connects, and publishes once <see cref="Attach"/> names its stream;
/// each new offer's answer becomes its tracks through <see cref="Renegotiate"/>.
/// </summary>
public sealed partial class SfuPublisher
{
    private string? _videoMid;
    private string? _audioMid;

    /// <summary>A publisher that connects now and publishes to the stream <see cref="Attach"/> names later.</summary>
    public SfuPublisher(WebRtcTransport transport, SdpSessionDescription offer, WhipNegotiation negotiation, string clientAddress, StreamHub hub,
        TimeSpan mediaTimeout, ILogger logger)
        : this(transport, offer, negotiation, clientAddress, hub, string.Empty, Unattached.Instance, mediaTimeout, logger)
    {
        _attached = false;
    }

    /// <summary>Whether it was given its stream (a WHIP session is from the start).</summary>
    public bool IsAttached
    {
        get
        {
            lock (_sync)
            {
                return _attached;
            }
        }
    }

    /// <summary>Names the stream to publish to and who to tell: it publishes now if connected, else once it is.</summary>
    public void Attach(string streamId, ISfuPublisherListener listener)
    {
        lock (_sync)
        {
            if (_attached)
            {
                throw new InvalidOperationException($"the publisher already publishes to {StreamId}");
            }

            (StreamId, _listener, _attached) = (streamId, listener, true);
            if (!_connected)
            {
                return;
            }
        }

        StartPublishing();
    }

    /// <summary>
    /// The client offered again (it added, paused or stopped a track): the tracks become the answer's. A track that
    /// continues on the same m-line with the same codec keeps what it counted and whether it is muted; a new one
    /// starts unmuted, and the stream's readers learn the new formats.
    /// </summary>
    public void Renegotiate(WhipNegotiation negotiation)
    {
        Publisher? publisher;
        lock (_sync)
        {
            string? videoMid = MidOf(negotiation, negotiation.Video);
            string? audioMid = MidOf(negotiation, negotiation.Audio);
            Video = Continue(Video, _videoMid, negotiation.Video, videoMid, video: true);
            Audio = Continue(Audio, _audioMid, negotiation.Audio, audioMid, video: false);
            (_videoMid, _audioMid, Negotiation) = (videoMid, audioMid, negotiation);
            _lastPacket = Transport.Time.GetTimestamp(); // a new track gets the whole media timeout to start
            publisher = _publisher;
        }

        publisher?.SetRtpFormats(Video?.Codec.Format, Audio?.Codec.Format);
        _listener.OnTracksChanged(this);
    }

    private SfuTrack? Continue(SfuTrack? current, string? currentMid, RtpCodec? codec, string? mid, bool video) =>
        codec is null ? null
        : current is not null && currentMid == mid && current.Codec.PayloadType == codec.PayloadType && current.Codec.Is(codec.Name) ? current
        : new SfuTrack(video, codec, Transport.Time);

    /// <summary>The mid of the m-line whose answer carries <paramref name="codec"/> (the codec the negotiation chose there).</summary>
    private static string? MidOf(WhipNegotiation negotiation, RtpCodec? codec) =>
        codec is null ? null : negotiation.Media.FirstOrDefault(m => ReferenceEquals(m.Codec, codec))?.Offer.Mid;

    /// <summary>The listener of a publisher not yet attached: nothing to tell.</summary>
    private sealed class Unattached : ISfuPublisherListener
    {
        public static readonly Unattached Instance = new();

        public void OnConnecting(SfuPublisher publisher)
        {
        }

        public void OnTracksChanged(SfuPublisher publisher)
        {
        }

        public void OnClosed(SfuPublisher publisher, string reason)
        {
        }
    }
}
