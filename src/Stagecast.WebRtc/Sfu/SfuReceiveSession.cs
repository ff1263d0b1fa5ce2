using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.WebRtc.Congestion;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// A client's receiving connection on which the server offers (RealtimeKit's receive transport): the client offers
/// first with placeholder m-lines, answered as the first answer says; then each track the server sends is a
/// <see cref="SfuConsumer"/> on an m-line of its own, added by an offer of the server's (<see cref="Offer"/>) and sent
/// once the client answered (<see cref="Start"/>). The client closes consumers with an offer of its own
/// (<see cref="Answer"/>). A closed section stays in its place, port 0, until a new consumer of its kind takes it (with a
/// new mid: RFC 8829 section 5.2.2's recycling), so a connection has at most <see cref="SdpSessionDescription.MaxMediaSections"/>
/// sections, the most the client's answers may have. Whatever the client sends on it is dropped; its feedback goes to the consumer
/// it is about. Its downlink (<see cref="SubscriberDownlink"/>: the transport-wide estimate when the client offered it)
/// chooses the layer each video consumer reads.
/// </summary>
public sealed class SfuReceiveSession : WebRtcSession, IConsumerConnection, ISubscriberConnection
{
    private readonly Lock _sync = new();
    private readonly ITimer _layerCheck;
    private readonly IReadOnlyList<MediaDescription> _offered;
    private readonly List<SdpSection> _sections;
    private readonly int _placeholders;
    private readonly Dictionary<string, SfuConsumer> _consumers = new(StringComparer.Ordinal);
    private readonly long _sessionId = SdpWriter.NewSessionId();
    private readonly SubscriberDownlink _downlink;
    private readonly Func<uint, SfuConsumer?> _consumerOf;
    private readonly HashSet<string> _closedUntold = new(StringComparer.Ordinal); // closed here, not yet in an answered offer
    private HashSet<string> _closedOffered = new(StringComparer.Ordinal); // of those, the ones the last offer said were closed
    private long _version = 2;
    private int _nextMid;

    public SfuReceiveSession(WebRtcTransport transport, SdpSessionDescription offer, IReadOnlyList<AnsweredMedia> firstAnswer, string clientAddress)
        : base(transport, offer, clientAddress)
    {
        _offered = offer.Media;
        _sections = [.. firstAnswer.Select(a => a.Section)];
        _placeholders = _sections.Count;
        _nextMid = firstAnswer.Select(a => int.TryParse(a.Offer.Mid, out int mid) ? mid + 1 : 0).DefaultIfEmpty(0).Max();
        _consumerOf = ConsumerOf;
        _downlink = new SubscriberDownlink(transport, transport.Options.CongestionControl ? ExtensionUris.TransportWideCcId(offer) : 0);
        _layerCheck = transport.Time.CreateTimer(_ => _downlink.Follow(Consumers), null, SubscriberDownlink.LayerCheck, SubscriberDownlink.LayerCheck);
    }

    /// <summary>The id the client's offer gave the transport-wide sequence number (one-byte form), or 0: not negotiated.</summary>
    public int TransportSequenceId => _downlink.TransportSequenceId;

    /// <summary>What the downlink carries, as far as the client's feedback tells (null before any).</summary>
    public DownlinkFigures? Estimate => _downlink.Estimate;

    public IReadOnlyList<SfuConsumer> Consumers
    {
        get
        {
            lock (_sync)
            {
                return [.. _consumers.Values];
            }
        }
    }

    /// <summary>The codec the client receives <paramref name="kind"/> in by <paramref name="name"/> (its first offer's payload type), or null.</summary>
    public RtpCodec? ReceivingCodec(string kind, string name) =>
        _offered.Where(m => m.Kind == kind && m.IsRtp).SelectMany(m => m.Codecs.Values)
            .FirstOrDefault(c => c.Is(name) && (!c.Is("opus") || c.Channels == 2) && (!c.Is("H264") || c.IsH264NonInterleaved));

    /// <summary>The stream repairs of <paramref name="codec"/> go on, when the client's first offer had <c>rtx</c> for it (RFC 4588); null otherwise.</summary>
    private RetransmissionStream? RetransmissionFor(RtpCodec codec) =>
        _offered.Where(m => m.Kind == "video" && m.IsRtp).Select(m => RetransmissionStream.For(m, codec)).FirstOrDefault(rtx => rtx is not null);

    /// <summary>A consumer of <paramref name="stream"/>'s audio or video on a new m-line, not started; null when the connection has no room for one.</summary>
    public SfuConsumer? Add(HubStream stream, bool video, RtpCodec codec, string msid)
    {
        CloseEnded();
        lock (_sync)
        {
            // A closed line is taken up again by a consumer of its kind only, and only once the client knows it closed:
            // Chrome refuses an offer that turns an audio line into a video one, or puts a new mid where its last
            // description had a line open, and its SDK then takes no more consumers on this connection.
            string kind = video ? "video" : "audio";
            int free = _sections.FindIndex(_placeholders, s => s.Codec is null && s.Kind == kind && !_closedUntold.Contains(s.Mid));
            if (free < 0 && _sections.Count >= SdpSessionDescription.MaxMediaSections)
            {
                return null;
            }

            var consumer = new SfuConsumer(this, stream, video, codec, (_nextMid++).ToString(System.Globalization.CultureInfo.InvariantCulture), msid,
                video ? RetransmissionFor(codec) : null);
            _consumers.Add(consumer.Mid, consumer);
            if (free < 0)
            {
                _sections.Add(consumer.Section);
            }
            else
            {
                _sections[free] = consumer.Section;
            }

            return consumer;
        }
    }

    /// <summary>The server's offer of the connection as it is now: every section, in its place; those of ended streams closed.</summary>
    public string Offer()
    {
        CloseEnded();
        lock (_sync)
        {
            _closedOffered = [.. _closedUntold];
            return SdpOffer.Build(Ice.Credentials, Transport.Certificate.Fingerprint, Transport.Candidates(null), [.. _sections], CName, _sessionId, ++_version);
        }
    }

    /// <summary>The client answered: the consumers it took start sending, those it refused (port 0) close.</summary>
    public void Start(SdpSessionDescription answer)
    {
        lock (_sync)
        {
            _closedUntold.ExceptWith(_closedOffered); // the client has seen them closed: free to take up again
            _closedOffered.Clear();
        }

        var refused = answer.Media.Where(m => m.Rejected).Select(m => m.Mid).ToHashSet(StringComparer.Ordinal);
        foreach (var consumer in Consumers)
        {
            if (refused.Contains(consumer.Mid))
            {
                CloseSection(consumer.Mid);
            }
            else
            {
                consumer.Answer(answer.Media.FirstOrDefault(m => m.Mid == consumer.Mid));
                if (IsConnected)
                {
                    consumer.Start();
                }
            }
        }
    }

    /// <summary>
    /// The client stopped the m-lines <paramref name="mids"/> and offers: they close, and the answer keeps every other
    /// section as it was (the consumers' as sending, the client's own placeholders as first answered).
    /// </summary>
    public string Answer(SdpSessionDescription clientOffer, IEnumerable<string> mids)
    {
        foreach (string mid in mids)
        {
            CloseSection(mid);
        }

        lock (_sync)
        {
            _closedUntold.ExceptWith(clientOffer.Media.Where(m => m.Rejected).Select(m => m.Mid)); // the client's own offer closes them
            var sections = new List<SdpSection>(clientOffer.Media.Count);
            foreach (var offered in clientOffer.Media)
            {
                var current = _sections.FirstOrDefault(s => s.Mid == offered.Mid);
                sections.Add(current is null || offered.Rejected
                    ? new SdpSection(offered.Kind, offered.Mid, null, "inactive", ClosedFormat: offered.Formats.Count > 0 ? offered.Formats[0] : 0)
                    : current);
            }

            return SdpWriter.Write(Ice.Credentials, Transport.Certificate.Fingerprint, Transport.Candidates(null), sections, CName, "passive", _sessionId, ++_version);
        }
    }

    void IConsumerConnection.Send(ReadOnlySpan<byte> packet) => SendRtp(packet);

    void IConsumerConnection.SendReport(ReadOnlySpan<byte> packet) => SendRtcp(packet);

    /// <summary>Its packets are not forwarded: the client's SDK consumes a new producer on an m-line of its own.</summary>
    void IConsumerConnection.CannotCarry(SfuConsumer consumer, string encodingName)
    {
    }

    protected override void OnSending(Span<byte> packet) => _downlink.Stamp(packet);

    protected override void OnConnected()
    {
        // Consumers the client answered before the connection came up start now.
        foreach (var consumer in Consumers.Where(c => c.Answered))
        {
            consumer.Start();
        }
    }

    protected override void OnRtp(byte[] buffer, int length)
    {
    }

    protected override void OnRtcp(ReadOnlySpan<byte> packet) => _downlink.OnRtcp(packet, _consumerOf);

    /// <summary>The consumer sending <paramref name="ssrc"/>, found without copying the list (feedback comes often).</summary>
    private SfuConsumer? ConsumerOf(uint ssrc)
    {
        lock (_sync)
        {
            foreach (var consumer in _consumers.Values)
            {
                if (consumer.Ssrc == ssrc)
                {
                    return consumer;
                }
            }

            return null;
        }
    }

    protected override void OnClosed(string reason)
    {
        _layerCheck.Dispose();
        foreach (var consumer in Consumers)
        {
            consumer.Stop();
        }
    }

    /// <summary>Consumers whose stream ended (its peer left, or its publisher did not come back in time) close; the next offer says so.</summary>
    private void CloseEnded()
    {
        foreach (var consumer in Consumers.Where(c => c.Stream.State == HubStreamState.Ended))
        {
            CloseSection(consumer.Mid, told: false);
        }
    }

    /// <param name="told">Whether the client closed it itself (its offer or its answer), so it knows the line closed.</param>
    private void CloseSection(string mid, bool told = true)
    {
        SfuConsumer? consumer;
        lock (_sync)
        {
            if (!_consumers.Remove(mid, out consumer))
            {
                return;
            }

            if (!told)
            {
                _closedUntold.Add(mid);
            }

            int index = _sections.FindIndex(s => s.Mid == mid);
            _sections[index] = _sections[index] with { Codec = null, Direction = "inactive", SendSsrc = 0, ClosedFormat = consumer.Codec.PayloadType };
        }

        consumer.Stop();
    }
}
