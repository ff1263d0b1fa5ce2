using Microsoft.Extensions.Logging;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Whep;

/// <summary>
/// A WHEP viewer of a live stream: what both kinds share. The viewer's feedback is answered by small behaviours: its
/// NACKs from the video send history, its PLI and FIR passed to the stream (whose WebRTC publisher makes a keyframe);
/// sender reports count what went out. <see cref="HubWhepSession"/> sends the hub's frames, packetized;
/// <see cref="ForwardingWhepSession"/> forwards a WebRTC publisher's RTP as it came.
/// </summary>
public abstract class WhepSession : WebRtcSession
{
    private readonly NackResponder _nacks;

    protected WhepSession(WebRtcTransport transport, SdpSessionDescription offer, WhepNegotiation negotiation, string clientAddress, HubStream stream, ILogger logger)
        : base(transport, offer, clientAddress)
    {
        Stream = stream;
        Negotiation = negotiation;
        Logger = logger;
        VideoHistory = new SendHistory(transport.Time);
        _nacks = new NackResponder(VideoHistory, negotiation.VideoSsrc, negotiation.VideoRtx);
    }

    public string StreamId => Stream.Id;

    protected HubStream Stream { get; }

    public WhepNegotiation Negotiation { get; }

    protected ILogger Logger { get; }

    /// <summary>Video packets as sent, for retransmission.</summary>
    protected SendHistory VideoHistory { get; }

    protected SenderReporter Reports { get; } = new();

    /// <summary>Packets sent again for the viewer's NACKs.</summary>
    public long Retransmitted => _nacks.Retransmitted;

    /// <summary>The viewer's latest receiver report on the video we send, if any.</summary>
    public ReceptionReport? VideoReport { get; private set; }

    /// <summary>The viewer's latest receiver report on the audio we send, if any.</summary>
    public ReceptionReport? AudioReport { get; private set; }

    /// <summary>Packets and payload bytes sent of each track.</summary>
    public (uint Packets, uint Octets) VideoSent => Reports.Sent(video: true);

    public (uint Packets, uint Octets) AudioSent => Reports.Sent(video: false);

    protected override void OnRtp(byte[] buffer, int length)
    {
        // A viewer sends no media.
    }

    protected override void OnRtcp(ReadOnlySpan<byte> packet)
    {
        Span<ReceptionReport> blocks = stackalloc ReceptionReport[4];
        var reader = new RtcpReader(packet);
        while (reader.TryRead(out var rtcp))
        {
            if (rtcp.IsPli || rtcp.IsFir)
            {
                Stream.RequestKeyframe();
            }
            else if (rtcp.Type is RtcpWriter.ReceiverReportType or RtcpWriter.SenderReportType)
            {
                foreach (var block in blocks[..rtcp.ReceptionReports(blocks)])
                {
                    if (block.Ssrc == Negotiation.VideoSsrc)
                    {
                        VideoReport = block;
                    }
                    else if (block.Ssrc == Negotiation.AudioSsrc)
                    {
                        AudioReport = block;
                    }
                }
            }
            else
            {
                _nacks.Respond(rtcp, SendRtp);
            }
        }
    }

    /// <summary>Sends a video packet (its header already final), keeping it for retransmission.</summary>
    protected void SendVideoPacket(ReadOnlySpan<byte> packet, int payloadLength)
    {
        VideoHistory.Add(RtpHeader.SequenceNumber(packet), packet);
        Reports.Count(video: true, payloadLength);
        SendRtp(packet);
    }

    /// <summary>Queues a video packet written at <c>batch.Next[..length]</c> (its header final), keeping it for retransmission.</summary>
    protected void QueueVideoPacket(UdpBatch batch, int length, int payloadLength)
    {
        var packet = batch.Next[..length];
        VideoHistory.Add(RtpHeader.SequenceNumber(packet), packet);
        Reports.Count(video: true, payloadLength);
        QueueRtp(batch, length);
    }

    protected void SendAudioPacket(ReadOnlySpan<byte> packet, int payloadLength)
    {
        Reports.Count(video: false, payloadLength);
        SendRtp(packet);
    }

    /// <summary>Queues an audio packet written at <c>batch.Next[..length]</c> (its header final).</summary>
    protected void QueueAudioPacket(UdpBatch batch, int length, int payloadLength)
    {
        Reports.Count(video: false, payloadLength);
        QueueRtp(batch, length);
    }
}
