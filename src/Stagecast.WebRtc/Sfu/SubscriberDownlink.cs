using Stagecast.Media.Rtp;
using Stagecast.WebRtc.Congestion;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// The downlink of one subscriber connection (a RealtimeKit receive transport or a WHEP subscription) and what its video
/// consumers read. When the client offered the transport-wide sequence number (<see cref="TransportSequenceId"/>), every
/// packet sent is numbered (<see cref="Stamp"/>) and the client's transport-wide feedback drives a
/// <see cref="DownlinkController"/>: what the connection can carry (<see cref="Estimate"/>), shared among its video
/// consumers every <see cref="LayerCheck"/> (<see cref="Follow"/>: each the highest simulcast layer that fits, by
/// priority, the rest paused) once the path has shown a limit, and probed with bursts of padding to find room again.
/// Without an estimate each video consumer reads the first of its layers that flows.
/// </summary>
/// <param name="estimated">Called once, when the client's first feedback gave an estimate (a connection with nothing else
/// to choose by may start looking at its layers then).</param>
internal sealed class SubscriberDownlink(WebRtcTransport transport, int transportSequenceId, Action? estimated = null)
{
    /// <summary>How often the video consumers' layers are chosen again (and checked to still flow).</summary>
    internal static readonly TimeSpan LayerCheck = TimeSpan.FromMilliseconds(250);

    /// <summary>The most packets one transport-wide feedback of the client's is read for (Chrome's cover a few hundred).</summary>
    internal const int MaxFeedbackPackets = 1024;

    private readonly SentPackets _sent = new();
    private readonly DownlinkController _controller = new();
    private readonly Lock _estimating = new();
    private bool _estimated;

    /// <summary>The id the client's offer gave the transport-wide sequence number (one-byte form), or 0: not negotiated.</summary>
    public int TransportSequenceId => transportSequenceId;

    /// <summary>What the downlink carries, as far as the client's feedback tells (null before any).</summary>
    public DownlinkFigures? Estimate
    {
        get
        {
            lock (_estimating)
            {
                var estimator = _controller.Estimator;
                return _estimated ? new DownlinkFigures(estimator.Estimate, estimator.AckedBps, estimator.Loss, estimator.Usage, _controller.Constrained) : null;
            }
        }
    }

    /// <summary>Numbers a packet transport-wide as it goes (in send order), and notes when and how big, for the client's feedback.</summary>
    public void Stamp(Span<byte> packet)
    {
        if (transportSequenceId > 0)
        {
            RtpExtensions.TryStampTransportSequence(packet, transportSequenceId, _sent.Add(Micros(), packet.Length));
        }
    }

    /// <summary>
    /// The client's RTCP: a consumer's NACK, PLI or FIR goes to that consumer (<paramref name="consumerOf"/> its SSRC),
    /// receiver reports to the consumers they report on, transport-wide feedback to the estimator.
    /// </summary>
    public void OnRtcp(ReadOnlySpan<byte> packet, Func<uint, SfuConsumer?> consumerOf)
    {
        Span<ReceptionReport> blocks = stackalloc ReceptionReport[4];
        var reader = new RtcpReader(packet);
        while (reader.TryRead(out var rtcp))
        {
            if (rtcp.IsPli || rtcp.IsFir || rtcp.IsNack)
            {
                uint ssrc = rtcp.IsFir && rtcp.Body.Length >= 12 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(rtcp.Body[8..]) : rtcp.MediaSsrc;
                consumerOf(ssrc)?.OnFeedback(rtcp);
            }
            else if (rtcp.Type is RtcpWriter.ReceiverReportType or RtcpWriter.SenderReportType)
            {
                foreach (var block in blocks[..rtcp.ReceptionReports(blocks)])
                {
                    consumerOf(block.Ssrc)?.Report = block;
                }
            }
            else if (rtcp.Type == RtcpWriter.TransportFeedbackType && rtcp.Format == TransportFeedback.Format && transportSequenceId > 0)
            {
                OnFeedback(rtcp.Body);
            }
        }
    }

    /// <summary>The client's transport-wide feedback, matched to what was sent and given to the estimator; a malformed one is dropped.</summary>
    private void OnFeedback(ReadOnlySpan<byte> body)
    {
        Span<long?> arrivals = stackalloc long?[MaxFeedbackPackets];
        if (!TransportFeedback.TryRead(body, out ushort baseSequence, arrivals, out int count))
        {
            return;
        }

        Span<PacketResult> packets = stackalloc PacketResult[count];
        int resolved = _sent.Resolve(baseSequence, arrivals[..count], packets);
        bool first;
        lock (_estimating)
        {
            _controller.Estimator.OnFeedback(packets[..resolved], Micros());
            first = !_estimated && resolved > 0;
            _estimated |= resolved > 0;
        }

        if (first)
        {
            estimated?.Invoke();
        }
    }

    /// <summary>
    /// Every <see cref="LayerCheck"/>: without an estimate each video consumer reads the first of its layers that flows;
    /// with one, the downlink's plan says which layer each reads (or that it pauses), and whether to probe.
    /// </summary>
    public void Follow(IReadOnlyList<SfuConsumer> consumers)
    {
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
            plan = _controller.Plan(now, audio, tracks);
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
        int packets = Math.Max(DownlinkEstimator.MinimumProbePackets, bytes / (padding + RtpHeader.FixedLength + RtpExtensions.TransportSequenceBlock));
        foreach (var consumer in video.OrderBy(c => c.Paused))
        {
            if (consumer.Pad(packets, padding) > 0)
            {
                lock (_estimating)
                {
                    _controller.Probed(now, Micros());
                }

                return;
            }
        }
    }

    private long Micros() => (long)(transport.Time.GetTimestamp() * (1_000_000.0 / transport.Time.TimestampFrequency));
}
