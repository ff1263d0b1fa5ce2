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
/// it is about. When the client offered the transport-wide sequence number, every packet carries one and the client's
/// transport-wide feedback drives a <see cref="DownlinkController"/>: what this connection can carry (<see cref="Estimate"/>),
/// shared among its video consumers every <see cref="LayerCheck"/> (each the highest simulcast layer that fits, by
/// priority, the rest paused) once the path has shown a limit, and probed with bursts of padding to find room again.
/// </summary>
public sealed class SfuReceiveSession : WebRtcSession
{
    /// <summary>How often its video consumers check that the simulcast layer they read still flows.</summary>
    internal static readonly TimeSpan LayerCheck = TimeSpan.FromMilliseconds(250);

    private readonly Lock _sync = new();
    private readonly ITimer _layerCheck;
    private readonly IReadOnlyList<MediaDescription> _offered;
    private readonly List<SdpSection> _sections;
    private readonly int _placeholders;
    private readonly Dictionary<string, SfuConsumer> _consumers = new(StringComparer.Ordinal);
    private readonly long _sessionId = SdpWriter.NewSessionId();
    private readonly SentPackets _sent = new();
    private readonly DownlinkController _downlink = new();
    private readonly Lock _estimating = new();
    private bool _estimated;
    private readonly HashSet<string> _closedUntold = new(StringComparer.Ordinal); // closed here, not yet in an answered offer
    private HashSet<string> _closedOffered = new(StringComparer.Ordinal); // of those, the ones the last offer said were closed
    private long _version = 2;
    private int _nextMid;

    /// <summary>The most packets one transport-wide feedback of the client's is read for (Chrome's cover a few hundred).</summary>
    internal const int MaxFeedbackPackets = 1024;

    public SfuReceiveSession(WebRtcTransport transport, SdpSessionDescription offer, IReadOnlyList<AnsweredMedia> firstAnswer, string clientAddress)
        : base(transport, offer, clientAddress)
    {
        _offered = offer.Media;
        _sections = [.. firstAnswer.Select(a => a.Section)];
        _placeholders = _sections.Count;
        _nextMid = firstAnswer.Select(a => int.TryParse(a.Offer.Mid, out int mid) ? mid + 1 : 0).DefaultIfEmpty(0).Max();
        TransportSequenceId = !transport.Options.CongestionControl ? 0 : offer.Media.Select(m => m.Extensions.GetValueOrDefault(ExtensionUris.TransportWideCc)).FirstOrDefault(id => id is > 0 and < 15);
        _layerCheck = transport.Time.CreateTimer(_ => FollowLayers(), null, LayerCheck, LayerCheck);
    }

    /// <summary>The id the client's offer gave the transport-wide sequence number (one-byte form), or 0: not negotiated.</summary>
    public int TransportSequenceId { get; }

    /// <summary>What the downlink carries, as far as the client's feedback tells (null before any).</summary>
    public DownlinkFigures? Estimate
    {
        get
        {
            lock (_estimating)
            {
                var estimator = _downlink.Estimator;
                return _estimated ? new DownlinkFigures(estimator.Estimate, estimator.AckedBps, estimator.Loss, estimator.Usage, _downlink.Constrained) : null;
            }
        }
    }

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

    internal void Send(ReadOnlySpan<byte> packet) => SendRtp(packet);

    /// <summary>Numbers each packet transport-wide as it goes, and notes when and how big, for the client's feedback.</summary>
    protected override void OnSending(Span<byte> packet)
    {
        if (TransportSequenceId > 0)
        {
            RtpExtensions.TryStampTransportSequence(packet, TransportSequenceId, _sent.Add(Micros(), packet.Length));
        }
    }

    private long Micros() => (long)(Transport.Time.GetTimestamp() * (1_000_000.0 / Transport.Time.TimestampFrequency));

    internal void SendReport(ReadOnlySpan<byte> packet) => SendRtcp(packet);

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

    protected override void OnRtcp(ReadOnlySpan<byte> packet)
    {
        var reader = new RtcpReader(packet);
        while (reader.TryRead(out var rtcp))
        {
            if (rtcp.IsPli || rtcp.IsFir || rtcp.IsNack)
            {
                uint ssrc = rtcp.IsFir && rtcp.Body.Length >= 12 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(rtcp.Body[8..]) : rtcp.MediaSsrc;
                ConsumerOf(ssrc)?.OnFeedback(rtcp);
            }
            else if (rtcp.Type == RtcpWriter.TransportFeedbackType && rtcp.Format == TransportFeedback.Format && TransportSequenceId > 0)
            {
                OnTransportFeedback(rtcp.Body);
            }
        }
    }

    /// <summary>The client's transport-wide feedback, matched to what was sent and given to the estimator; a malformed one is dropped.</summary>
    private void OnTransportFeedback(ReadOnlySpan<byte> body)
    {
        Span<long?> arrivals = stackalloc long?[MaxFeedbackPackets];
        if (!TransportFeedback.TryRead(body, out ushort baseSequence, arrivals, out int count))
        {
            return;
        }

        Span<PacketResult> packets = stackalloc PacketResult[count];
        int resolved = _sent.Resolve(baseSequence, arrivals[..count], packets);
        lock (_estimating)
        {
            _downlink.Estimator.OnFeedback(packets[..resolved], Micros());
            _estimated |= resolved > 0;
        }
    }

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

    /// <summary>
    /// Every <see cref="LayerCheck"/>: without an estimate each video consumer reads the first of its layers that flows;
    /// with one, the downlink's plan says which layer each reads (or that it pauses), and whether to probe.
    /// </summary>
    private void FollowLayers()
    {
        var consumers = Consumers;
        var video = consumers.Where(c => c.Video && c.IsReading).ToList();
        if (!Volatile.Read(ref _estimated) || video.Count == 0)
        {
            video.ForEach(c => c.FollowLayers());
            return;
        }

        long now = Micros();
        long audio = consumers.Where(c => !c.Video).Sum(c => c.SampleBps(now));
        var candidates = video.Select(c => c.Candidates()).ToList();
        var tracks = video.Select((c, i) => new AllocatedTrack(c.Priority, [.. candidates[i].Select(l => l.Bps)],
            c.Paused ? -1 : candidates[i].FindIndex(l => ReferenceEquals(l.Layer, c.Target)))).ToList();
        DownlinkPlan plan;
        lock (_estimating)
        {
            plan = _downlink.Plan(now, audio, tracks);
        }

        for (int i = 0; i < video.Count; i++)
        {
            if (candidates[i].Count == 0)
            {
                video[i].FollowLayers(); // no rate known yet
            }
            else
            {
                video[i].Allocate(plan.Layers[i] < 0 ? null : candidates[i][plan.Layers[i]].Layer);
            }
        }

        if (plan.ProbeBytes > 0)
        {
            Probe(video, plan.ProbeBytes, now);
        }
    }

    /// <summary>
    /// A probe: a burst of padding, as the plan sized it, on a video consumer, one that sends if any does. With every
    /// video consumer paused, the feedback covers audio alone and the estimate cannot grow past it: only a probe on a
    /// paused one brings the video back.
    /// </summary>
    private void Probe(List<SfuConsumer> video, int bytes, long now)
    {
        const int padding = 255;
        int packets = Math.Max(1, bytes / (padding + RtpHeader.FixedLength + RtpExtensions.TransportSequenceBlock));
        foreach (var consumer in video.OrderBy(c => c.Paused))
        {
            if (consumer.Pad(packets, padding) > 0)
            {
                lock (_estimating)
                {
                    _downlink.Probed(now, Micros());
                }

                return;
            }
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
