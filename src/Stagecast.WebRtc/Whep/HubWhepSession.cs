using Microsoft.Extensions.Logging;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Whep;

/// <summary>
/// A WHEP viewer fed from the hub's frames (an RTMP stream, or a WebRTC one in codecs the viewer does not take as they
/// came). Its video comes from the stream's <see cref="HubVideoFanout"/>, packetized once for every such viewer: the
/// viewer writes its own header fields and protects each packet into the fan-out's batch, starting at a keyframe. Opus
/// comes from the stream's shared transcoder. Both tracks' RTP timestamps come from one <see cref="RtpTimeline"/>, and
/// sender reports tie them to wall-clock time so the player can keep them in sync. A viewer of a rendition takes its
/// video from the rendition's stream (on the source's timeline) and its audio, its place among the viewers and its
/// keyframe requests from the source, so a ladder costs one Opus encode, not one per rendition. The viewer's NACKs are
/// answered from the video send history, its PLI and FIR passed to the stream (whose WebRTC publisher makes a keyframe).
/// </summary>
public sealed class HubWhepSession : WhepSession
{
    private readonly OpusFeeds _opus;
    private readonly HubVideoFanouts _videos;
    private readonly HubStream _video;
    private readonly RtpTimeline _timeline;
    private readonly SendHistory _history;
    private readonly NackResponder _nacks;
    private readonly SenderReporter _sent = new();
    private ITimer? _reports;
    private ushort _videoSeq = RtpHeader.InitialSequenceNumber();
    private ushort _audioSeq = RtpHeader.InitialSequenceNumber();
    private bool _opusSubscribed;
    private bool _videoSubscribed;
    private bool _awaitingKeyframe = true;

    /// <param name="video">The stream whose video the viewer gets, when not <paramref name="stream"/>'s own: one of its renditions.</param>
    public HubWhepSession(
        WebRtcTransport transport, SdpSessionDescription offer, WhepNegotiation negotiation, string clientAddress, HubStream stream, OpusFeeds opus, HubVideoFanouts videos, ILogger logger, HubStream? video = null)
        : base(transport, offer, negotiation, clientAddress, stream, logger)
    {
        _opus = opus;
        _videos = videos;
        _video = video ?? stream;
        _timeline = new RtpTimeline(transport.Time);
        _history = new SendHistory(transport.Time);
        _nacks = new NackResponder(_history, negotiation.VideoSsrc, negotiation.VideoRtx);
    }

    /// <summary>Packets sent again for the viewer's NACKs.</summary>
    public long Retransmitted => _nacks.Retransmitted;

    protected override void OnRtcp(ReadOnlySpan<byte> packet)
    {
        var reader = new RtcpReader(packet);
        while (reader.TryRead(out var rtcp))
        {
            if (rtcp.IsPli || rtcp.IsFir)
            {
                Stream.RequestKeyframe();
            }
            else
            {
                _nacks.Respond(rtcp, SendRtp);
            }
        }
    }

    protected override void OnConnected()
    {
        if (Negotiation.Video is not null)
        {
            _videoSubscribed = true;
            _videos.Subscribe(_video, Transport, this);
            Stream.AddViewer();
            Stream.RequestKeyframe();
        }

        if (Negotiation.Audio is not null)
        {
            _opusSubscribed = true;
            _opus.Subscribe(Stream, Transport, this);
        }

        _reports = Transport.Time.CreateTimer(_ => SendReports(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
        WhepLog.Connected(Logger, Stream.Id, Remote);
    }

    protected override void OnClosed(string reason)
    {
        _reports?.Dispose();
        if (_videoSubscribed)
        {
            _videos.Unsubscribe(_video, this);
            Stream.RemoveViewer();
        }

        if (_opusSubscribed)
        {
            _opus.Unsubscribe(Stream, this);
        }

        WhepLog.Left(Logger, Stream.Id, reason);
    }

    /// <summary>Sends no more video until a keyframe (frames were dropped for this viewer).</summary>
    internal void AwaitKeyframe() => _awaitingKeyframe = true;

    /// <summary>Queues the frame's packets for this viewer on the fan-out's batch (from a keyframe on); false when nothing was sent.</summary>
    internal bool SendVideo(PacketizedFrame frame, UdpBatch batch)
    {
        if (IsClosed || !IsConnected || (_awaitingKeyframe && !frame.IsKeyframe))
        {
            return false;
        }

        _awaitingKeyframe = false;
        uint timestamp = _timeline.Video(frame.Timestamp);
        byte payloadType = (byte)Negotiation.Video!.PayloadType;
        try
        {
            for (int i = 0; i < frame.Count; i++)
            {
                var payload = frame.Payload(i, out bool marker);
                var packet = batch.Next;
                ushort sequence = _videoSeq++;
                int length = RtpHeader.FixedLength + payload.Length;
                RtpHeader.Write(packet, marker, payloadType, sequence, timestamp, Negotiation.VideoSsrc);
                payload.CopyTo(packet[RtpHeader.FixedLength..]);
                _history.Add(sequence, packet[..length]);
                _sent.Count(video: true, payload.Length);
                QueueRtp(batch, length);
            }
        }
        catch (WebRtcProtocolException ex)
        {
            Close($"sending video failed: {ex.Message}");
            return false;
        }

        return true;
    }

    /// <summary>Queues an Opus packet (at <paramref name="streamMs"/> on the stream's timeline) for this viewer on the feed's batch.</summary>
    internal void QueueOpus(ReadOnlySpan<byte> opus, long streamMs, UdpBatch batch)
    {
        if (IsClosed || !IsConnected || RtpHeader.FixedLength + opus.Length > UdpBatch.MaxRtpLength)
        {
            return;
        }

        try
        {
            var packet = batch.Next;
            RtpHeader.Write(packet, false, (byte)Negotiation.Audio!.PayloadType, _audioSeq++, _timeline.Audio(streamMs), Negotiation.AudioSsrc);
            opus.CopyTo(packet[RtpHeader.FixedLength..]);
            _sent.Count(video: false, opus.Length);
            QueueRtp(batch, RtpHeader.FixedLength + opus.Length);
        }
        catch (Exception ex) when (ex is WebRtcProtocolException or ObjectDisposedException)
        {
            Close($"sending audio failed: {ex.Message}");
        }
    }

    /// <summary>Sender reports for both tracks: now on the NTP clock against the RTP time the timeline gives for now.</summary>
    private void SendReports()
    {
        if (_timeline.Now() is not var (video, audio))
        {
            return;
        }

        ulong ntp = SenderReporter.NtpTime(Transport.Time.GetUtcNow());
        Span<byte> rtcp = stackalloc byte[64];
        int length = 0;
        if (Negotiation.Video is not null)
        {
            length += _sent.Write(rtcp, video: true, Negotiation.VideoSsrc, ntp, video);
        }

        if (Negotiation.Audio is not null)
        {
            length += _sent.Write(rtcp[length..], video: false, Negotiation.AudioSsrc, ntp, audio);
        }

        SendRtcp(rtcp[..length]);
    }
}
