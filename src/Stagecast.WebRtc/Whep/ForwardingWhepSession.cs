using Microsoft.Extensions.Logging;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Whep;

/// <summary>
/// A WHEP viewer of a WebRTC publisher, fed its RTP as it came through the hub (an RTP reader of the stream): no
/// depacketizing, no transcoding (<see cref="ForwardedTrack"/>: the viewer's payload type, SSRC and sequence numbers,
/// video from a keyframe, the publisher asked for one); when the publisher is replaced (a reconnect) it waits for the
/// new one's keyframe and carries on. The publisher's sender reports are passed on.
/// </summary>
public sealed class ForwardingWhepSession : WhepSession, IRtpSink
{
    private readonly byte[] _forward = new byte[1500];
    private readonly ForwardedTrack? _video;
    private readonly ForwardedTrack? _audio;
    private HubStreamReader? _reader;
    private RtpTrackFormat? _checkedVideo;

    public ForwardingWhepSession(WebRtcTransport transport, SdpSessionDescription offer, WhepNegotiation negotiation, string clientAddress, HubStream stream, ILogger logger)
        : base(transport, offer, negotiation, clientAddress, stream, logger)
    {
        _video = negotiation.Video is { } video ? new ForwardedTrack(video, negotiation.VideoSsrc, video: true) : null;
        _audio = negotiation.Audio is { } audio ? new ForwardedTrack(audio, negotiation.AudioSsrc, video: false) : null;
    }

    protected override void OnConnected()
    {
        _reader = Stream.AddRtpReader($"whep-{Id}", this, new ReaderOptions { IsViewer = true });
        Stream.Ending.Register(() => Close("the stream ended"));
        Stream.RequestKeyframe();
        WhepLog.ConnectedForwarded(Logger, Stream.Id, Remote);
    }

    protected override void OnClosed(string reason)
    {
        _reader?.Dispose();
        WhepLog.Left(Logger, Stream.Id, reason);
    }

    public void OnRtp(ReadOnlySpan<byte> packet, bool video)
    {
        if (!IsConnected || IsClosed || !RtpHeader.TryGetLength(packet, out int headerLength) || packet.Length > _forward.Length - 16)
        {
            return;
        }

        var track = video ? _video : _audio;
        if (track is null)
        {
            return;
        }

        if (video && Stream.RtpVideo is { } format && !ReferenceEquals(format, _checkedVideo))
        {
            _checkedVideo = format;
            if (!Negotiation.Video!.Is(format.EncodingName))
            {
                // A new publisher of the stream sends another codec: this session cannot carry it without a new offer.
                Close($"the publisher now sends {format.EncodingName}; this session was negotiated for {Negotiation.Video.Name}: ask again (a new offer)");
                return;
            }
        }

        lock (_forward)
        {
            var copy = _forward.AsSpan(0, packet.Length);
            if (!track.TryRewrite(packet, headerLength, copy, out _))
            {
                return;
            }

            if (video)
            {
                SendVideoPacket(copy, packet.Length - headerLength);
            }
            else
            {
                SendAudioPacket(copy, packet.Length - headerLength);
            }
        }

        WebRtcMetrics.ForwardDelay.Record(System.Diagnostics.Stopwatch.GetElapsedTime(WebRtcMetrics.PacketReceivedAt).TotalSeconds);
    }

    public void OnSenderReport(bool video, ulong ntpTime, uint rtpTimestamp)
    {
        if (!IsConnected || IsClosed || (video ? Negotiation.Video : Negotiation.Audio) is null)
        {
            return;
        }

        Span<byte> rtcp = stackalloc byte[28];
        Reports.Write(rtcp, video, video ? Negotiation.VideoSsrc : Negotiation.AudioSsrc, ntpTime, rtpTimestamp);
        SendRtcp(rtcp);
    }

    public void OnRtpSourceChanged()
    {
        // The next publisher's numbers continue ours from where they are; its video starts at its first keyframe.
        lock (_forward)
        {
            _video?.Restart();
            _audio?.Restart();
        }

        Stream.RequestKeyframe();
    }

    public void OnRtpRestarted(bool video)
    {
        lock (_forward)
        {
            (video ? _video : _audio)?.Restart();
        }

        if (video)
        {
            Stream.RequestKeyframe();
        }
    }
}
