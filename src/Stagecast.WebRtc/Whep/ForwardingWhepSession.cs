using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.Vp8;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Whep;

/// <summary>
/// A WHEP viewer of a WebRTC publisher, fed its RTP as it came through the hub (an RTP reader of the stream): no
/// depacketizing, no transcoding. Each packet gets the viewer's payload type, SSRC and a sequence number continuing
/// its own; a viewer starts at a keyframe (the publisher is asked for one), and when the publisher is replaced
/// (a reconnect) it waits for the new one's keyframe and carries on. The publisher's sender reports are passed on.
/// </summary>
public sealed class ForwardingWhepSession : WhepSession, IRtpSink
{
    private readonly byte[] _forward = new byte[1500];
    private HubStreamReader? _reader;
    private ushort _videoSeq = RtpHeader.InitialSequenceNumber();
    private ushort _audioSeq = RtpHeader.InitialSequenceNumber();
    private RtpTrackFormat? _checkedVideo;
    private bool _videoStarted;
    private bool _audioStarted;
    private ushort _videoSeqOffset;
    private ushort _audioSeqOffset;

    public ForwardingWhepSession(WebRtcTransport transport, SdpSessionDescription offer, WhepNegotiation negotiation, string clientAddress, HubStream stream, ILogger logger)
        : base(transport, offer, negotiation, clientAddress, stream, logger)
    {
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

        var codec = video ? Negotiation.Video : Negotiation.Audio;
        if (codec is null)
        {
            return;
        }

        if (video && Stream.RtpVideo is { } format && !ReferenceEquals(format, _checkedVideo))
        {
            _checkedVideo = format;
            if (!codec.Is(format.EncodingName))
            {
                // A new publisher of the stream sends another codec: this session cannot carry it without a new offer.
                Close($"the publisher now sends {format.EncodingName}; this session was negotiated for {codec.Name}: ask again (a new offer)");
                return;
            }
        }

        ushort sequence = RtpHeader.SequenceNumber(packet);
        lock (_forward)
        {
            if (video && !_videoStarted)
            {
                var payload = packet[headerLength..];
                bool keyframe = codec.Is("VP8") ? Vp8RtpDepacketizer.StartsKeyframe(payload) : H264RtpDepacketizer.StartsKeyframe(payload);
                if (!keyframe)
                {
                    return; // a viewer starts at a keyframe
                }

                _videoStarted = true;
                _videoSeqOffset = (ushort)(_videoSeq - sequence);
            }
            else if (!video && !_audioStarted)
            {
                _audioStarted = true;
                _audioSeqOffset = (ushort)(_audioSeq - sequence);
            }

            var copy = _forward.AsSpan(0, packet.Length);
            packet.CopyTo(copy);
            copy[1] = (byte)((copy[1] & 0x80) | codec.PayloadType);
            ushort rewritten = (ushort)(sequence + (video ? _videoSeqOffset : _audioSeqOffset));
            BinaryPrimitives.WriteUInt16BigEndian(copy[2..], rewritten);
            BinaryPrimitives.WriteUInt32BigEndian(copy[8..], video ? Negotiation.VideoSsrc : Negotiation.AudioSsrc);
            if (video)
            {
                _videoSeq = (ushort)(rewritten + 1);
                SendVideoPacket(copy, packet.Length - headerLength);
            }
            else
            {
                _audioSeq = (ushort)(rewritten + 1);
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
            _videoStarted = false;
            _audioStarted = false;
        }

        Stream.RequestKeyframe();
    }

    public void OnRtpRestarted(bool video)
    {
        lock (_forward)
        {
            if (video)
            {
                _videoStarted = false;
            }
            else
            {
                _audioStarted = false;
            }
        }

        if (video)
        {
            Stream.RequestKeyframe();
        }
    }
}
