using Microsoft.Extensions.Logging;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// A meeting participant's publishing connection: a WHIP session for one source (camera or screen share), or a
/// RealtimeKit send transport carrying several (<see cref="Publications"/>). Each publication's RTP goes, as it came,
/// to its stream in the meeting's hub, whose RTP readers (the other participants' subscriptions) forward it. Nothing
/// is depacketized or transcoded. Packets find their track by the SSRC the offer announced for its m-line, else by
/// payload type (a WHIP client need not announce SSRCs; a browser sharing its camera and its screen sends both in
/// the same VP8 payload type). Every feedback tick it sends a receiver report with what each track lost, NACKs for
/// video gaps still worth filling, a PLI when a subscriber wants a keyframe (at most one per 500 ms per stream), and
/// REMB with the bitrate cap; when the transport-wide sequence number is negotiated, transport-wide feedback about every
/// 100 ms as packets come, which the publisher's own estimator (Chrome's GCC) adapts its sending to, REMB its ceiling. A muted track's packets are counted and dropped. A publisher that sends nothing, not
/// even RTCP, for <c>mediaTimeout</c> is gone (a browser sends packets while it lives, muted or not) and is closed
/// without waiting for ICE consent to expire.
/// </summary>
public sealed partial class SfuPublisher : WebRtcSession
{
    private static readonly TimeSpan FeedbackInterval = TimeSpan.FromMilliseconds(250);

    private readonly StreamHub _hub;
    private readonly ILogger _logger;
    private readonly uint _localSsrc = (uint)Random.Shared.Next(1, int.MaxValue);
    private readonly RembSender _remb;
    private readonly TransportFeedbackRecorder _transportFeedback;
    private readonly TimeSpan _mediaTimeout;
    private readonly List<SfuPublication> _publications = [];
    private readonly Dictionary<uint, Route> _bySsrc = [];
    private readonly Dictionary<string, uint> _ridSsrcs = new(StringComparer.Ordinal);
    private readonly List<Route> _routes = [];
    private readonly bool _whip;
    private long _lastPacket;
    private ITimer? _feedback;
    private bool _connected;
    private int _created;
    private int _ridExtension;

    /// <summary>A WHIP session: one publication, to <paramref name="streamId"/>, of the tracks the negotiation chose.</summary>
    public SfuPublisher(WebRtcTransport transport, SdpSessionDescription offer, PublishNegotiation negotiation, string clientAddress, StreamHub hub,
        string streamId, ISfuPublisherListener listener, TimeSpan mediaTimeout, ILogger logger)
        : this(transport, offer, negotiation, clientAddress, hub, mediaTimeout, logger)
    {
        _whip = true;
        var publication = CreatePublication(streamId, listener);
        _ = SetTracks(negotiation, [new SfuPublicationMids(publication, MidOf(negotiation, negotiation.Audio), MidOf(negotiation, negotiation.Video))]);
        Publish(publication);
    }

    /// <summary>A connection that outlives one offer (RealtimeKit's send transport): it publishes what <see cref="Publish"/> is given.</summary>
    public SfuPublisher(WebRtcTransport transport, SdpSessionDescription offer, PublishNegotiation negotiation, string clientAddress, StreamHub hub,
        TimeSpan mediaTimeout, ILogger logger)
        : base(transport, offer, clientAddress, publishes: true)
    {
        _mediaTimeout = mediaTimeout;
        Negotiation = negotiation;
        _hub = hub;
        _logger = logger;
        _remb = new RembSender(transport.Time, (ulong)transport.Options.MaxPublishKbps * 1000);
        _transportFeedback = new TransportFeedbackRecorder(transport.Time);
    }

    public PublishNegotiation Negotiation { get; private set; }

    /// <summary>A WHIP session's publication (its first, for a connection with several).</summary>
    public SfuPublication Publication
    {
        get
        {
            lock (Sync)
            {
                return _publications[0];
            }
        }
    }

    /// <summary>Its publications that have not ended (not counting simulcast layers: each publication has its own).</summary>
    public IReadOnlyList<SfuPublication> Publications
    {
        get
        {
            lock (Sync)
            {
                return [.. _publications.Where(p => p.Parent is null)];
            }
        }
    }

    internal Lock Sync { get; } = new();

    /// <summary>A publication to <paramref name="streamId"/>, with no tracks until <see cref="Renegotiate"/> and publishing from <see cref="Publish"/>.</summary>
    public SfuPublication CreatePublication(string streamId, ISfuPublisherListener listener)
    {
        lock (Sync)
        {
            var publication = new SfuPublication(this, _created++ == 0 ? Id : $"{Id}-{_created}", streamId, listener);
            _publications.Add(publication);
            return publication;
        }
    }

    /// <summary>Publishes to the publication's stream now if connected, else once it is.</summary>
    public void Publish(SfuPublication publication)
    {
        List<SfuPublication> publishing;
        lock (Sync)
        {
            publishing = [publication, .. publication.LayerList];
            publishing.ForEach(p => p.Wanted = true);
            if (!_connected)
            {
                return;
            }
        }

        publishing.ForEach(StartPublishing);
    }

    protected override void OnConnected()
    {
        List<SfuPublication> wanted;
        lock (Sync)
        {
            _connected = true;
            wanted = _publications.Where(p => p.Wanted).ToList();
        }

        foreach (var publication in wanted)
        {
            StartPublishing(publication);
        }

        _feedback = Transport.Time.CreateTimer(_ => SendFeedback(), null, TimeSpan.Zero, FeedbackInterval);
    }

    private void StartPublishing(SfuPublication publication)
    {
        if (publication.IsClosed)
        {
            return;
        }

        publication.Listener.OnConnecting(publication);
        var info = new PublisherInfo("webrtc", Remote?.ToString() ?? ClientAddress);
        _hub.TryPublish(publication.StreamId, info, out var publisher);
        if (publisher is null)
        {
            publication.Close("the source is being published from another session");
            return;
        }

        lock (Sync)
        {
            publication.Publisher = publisher;
            _lastPacket = Transport.Time.GetTimestamp();
        }

        publisher.Revoked.Register(() => publication.Close(publisher.RevokeReason ?? "disconnected by the server"));
        publisher.KeyframeRequested = publication.Keyframes.Request;
        publisher.SetRtpFormats(publication.Video?.Codec.Format, publication.Audio?.Codec.Format);
        SfuLog.Publishing(_logger, publication.StreamId, Remote, publication.Video?.Codec.Name ?? "none", publication.Audio?.Codec.Name ?? "none");
        publication.Listener.OnPublished(publication);
    }

    /// <summary>
    /// Ends a publication. A WHIP session is its publication: the connection closes with it. A connection with several
    /// keeps the others; unpublished, its stream ends now rather than waiting for a new publisher.
    /// </summary>
    internal void End(SfuPublication publication, string reason, bool unpublish)
    {
        if (_whip)
        {
            publication.Unpublished |= unpublish;
            Close(reason);
            return;
        }

        List<SfuPublication> ending;
        lock (Sync)
        {
            if (!_publications.Remove(publication))
            {
                return;
            }

            publication.Parent?.LayerList.Remove(publication);
            ending = [publication, .. publication.LayerList];
            foreach (var layer in publication.LayerList)
            {
                _publications.Remove(layer);
            }

            publication.LayerList.Clear();
            ending.ForEach(p => p.Unpublished |= unpublish);
            RouteTracks(_publications);
        }

        ending.ForEach(p => Ended(p, reason));
    }

    private void Ended(SfuPublication publication, string reason)
    {
        Publisher? publisher;
        lock (Sync)
        {
            if (!publication.TryEnd(reason))
            {
                return;
            }

            publisher = publication.Publisher;
            publication.Publisher = null;
        }

        if (publisher is not null)
        {
            SfuLog.Ended(_logger, publication.StreamId, reason);
            if (publication.Unpublished)
            {
                publisher.Unpublish();
            }

            publisher.Dispose();
        }

        publication.Listener.OnClosed(publication, reason);
    }

    protected override void OnRtp(byte[] buffer, int length)
    {
        var packet = buffer.AsSpan(0, length);
        SfuPublication publication;
        bool started;
        Span<byte> feedback = stackalloc byte[TransportFeedbackRecorder.MaxFeedbackBytes];
        int feedbackLength = 0;
        lock (Sync)
        {
            _lastPacket = Transport.Time.GetTimestamp();
            if (Negotiation.TransportSequenceId > 0 && RtpExtensions.TryFind(packet, Negotiation.TransportSequenceId, out var sequence) && sequence.Length >= 2)
            {
                _transportFeedback.Add(System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(sequence), WebRtcMetrics.PacketWaited);
                feedbackLength = _transportFeedback.WriteIfDue(feedback, _localSsrc, RtpHeader.Ssrc(packet));
            }

            if (!TryRoute(packet, out var route))
            {
                Feedback(feedback[..feedbackLength]);
                return;
            }

            publication = route.Publication;
            started = publication.Receive(route.Track, packet, Negotiation.AudioLevelId);
        }

        Feedback(feedback[..feedbackLength]);
        if (started)
        {
            publication.Listener.OnTracksChanged(publication);
        }
    }

    /// <summary>
    /// Sends the transport-wide feedback written as packets came (about every 100 ms while they do: from the receive
    /// path, not a timer), so the publisher's estimator follows its real path.
    /// </summary>
    private void Feedback(ReadOnlySpan<byte> transportFeedback)
    {
        if (!transportFeedback.IsEmpty)
        {
            SendRtcp(transportFeedback);
        }
    }

    /// <summary>
    /// The track a packet belongs to: by its announced SSRC, else by the simulcast layer its RID extension names (its
    /// SSRC remembered, as the client stops sending the RID once it has our receiver report), else by payload type (a
    /// track announced by none first, else the only one; never a simulcast layer).
    /// </summary>
    private bool TryRoute(ReadOnlySpan<byte> packet, out Route route)
    {
        uint ssrc = RtpHeader.Ssrc(packet);
        if (_bySsrc.TryGetValue(ssrc, out route))
        {
            return true;
        }

        if (_ridExtension > 0 && RtpExtensions.TryFind(packet, _ridExtension, out var rid) && !rid.IsEmpty)
        {
            foreach (var candidate in _routes)
            {
                if (candidate.Track.Rid is { } layer && System.Text.Ascii.Equals(rid, layer))
                {
                    // One SSRC per layer: a camera sent again (a new producer) brings new ones for the same RIDs.
                    if (_ridSsrcs.Remove(layer, out uint previous))
                    {
                        _bySsrc.Remove(previous);
                    }

                    _ridSsrcs[layer] = ssrc;
                    _bySsrc[ssrc] = candidate;
                    route = candidate;
                    return true;
                }
            }

            return false;
        }

        byte payloadType = RtpHeader.PayloadType(packet);
        int matching = 0;
        foreach (var candidate in _routes)
        {
            if (candidate.Track.Codec.PayloadType != payloadType || candidate.Track.Rid is not null)
            {
                continue;
            }

            if (!candidate.Announced)
            {
                route = candidate;
                return true;
            }

            (route, matching) = (candidate, matching + 1);
        }

        return matching == 1;
    }

    protected override void OnRtcp(ReadOnlySpan<byte> packet)
    {
        Volatile.Write(ref _lastPacket, Transport.Time.GetTimestamp());
        var reader = new RtcpReader(packet);
        while (reader.TryRead(out var rtcp))
        {
            if (rtcp.Type != RtcpWriter.SenderReportType || rtcp.Body.Length < 16 || rtcp.SenderSsrc == 0)
            {
                continue;
            }

            ulong ntp = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(rtcp.Body[4..]);
            uint rtp = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(rtcp.Body[12..]);
            Publisher? publisher = null;
            bool video = false;
            lock (Sync)
            {
                foreach (var route in _routes)
                {
                    if (route.Track.Ssrc == rtcp.SenderSsrc && route.Track.StartedAt is not null)
                    {
                        route.Track.SenderReported(ntp);
                        video = route.Track.IsVideo;
                        publisher = route.Track.Muted ? null : route.Publication.Publisher;
                        break;
                    }
                }
            }

            publisher?.WriteSenderReport(video, ntp, rtp);
        }
    }

    protected override void OnClosed(string reason)
    {
        _feedback?.Dispose();
        List<SfuPublication> publications;
        lock (Sync)
        {
            publications = [.. _publications];
        }

        foreach (var publication in publications)
        {
            Ended(publication, reason);
        }
    }

    private void SendFeedback()
    {
        if (IsClosed)
        {
            return;
        }

        // A connection with no track yet (or any more) sends nothing to wait for.
        bool tracks;
        lock (Sync)
        {
            tracks = _routes.Count > 0;
        }

        if (Transport.Time.GetElapsedTime(Volatile.Read(ref _lastPacket)) > _mediaTimeout && tracks)
        {
            Close($"the publisher sent nothing for {_mediaTimeout.TotalSeconds} s");
            return;
        }

        Span<byte> rtcp = stackalloc byte[1200];
        Span<ReceptionReport> reports = stackalloc ReceptionReport[MaxTracks];
        Span<uint> ssrcs = stackalloc uint[MaxTracks];
        Span<ushort> missing = stackalloc ushort[NackGenerator.MaxPerPacket];
        int count = 0;
        int length;
        lock (Sync)
        {
            foreach (var route in _routes)
            {
                if (route.Track.StartedAt is not null && count < MaxTracks)
                {
                    reports[count] = route.Track.Report();
                    ssrcs[count++] = route.Track.Ssrc;
                }
            }

            length = RtcpWriter.ReceiverReport(rtcp, _localSsrc, reports[..count]);
            foreach (var publication in _publications)
            {
                if (publication.Video is not { StartedAt: not null } video || rtcp.Length - length < MaxVideoFeedback)
                {
                    continue;
                }

                int lost = video.Loss.Due(missing);
                if (lost > 0)
                {
                    length += RtcpWriter.Nack(rtcp[length..], _localSsrc, video.Ssrc, missing[..lost]);
                }

                length += publication.Keyframes.WriteIfDue(rtcp[length..], _localSsrc, video.Ssrc, decoderWaiting: false);
            }
        }

        length += _remb.WriteIfDue(rtcp[length..], _localSsrc, ssrcs[..count]);
        SendRtcp(rtcp[..length]);
    }

    /// <summary>The most tracks a receiver report covers (a camera and a screen share: four).</summary>
    private const int MaxTracks = 8;

    /// <summary>The most one video track's feedback takes: a NACK of 64 sequence numbers (no two in one mask) and a PLI.</summary>
    private const int MaxVideoFeedback = 12 + (4 * NackGenerator.MaxPerPacket) + 12;

    /// <summary>One track and the publication it belongs to; <paramref name="Announced"/>: the offer named its SSRCs.</summary>
    private readonly record struct Route(SfuPublication Publication, SfuTrack Track, bool Announced);
}

/// <summary>The m-lines a publication's audio and video tracks are on (null: it has none of that kind).</summary>
public readonly record struct SfuPublicationMids(SfuPublication Publication, string? AudioMid, string? VideoMid);
