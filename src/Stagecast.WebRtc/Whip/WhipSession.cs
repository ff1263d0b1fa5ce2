using Microsoft.Extensions.Logging;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.H264;
using Stagecast.Streaming;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transcoding;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Whip;

/// <summary>
/// A WHIP publisher (RFC 9725): once DTLS completes it publishes to its livestream like any ingest. Video RTP goes
/// through a jitter buffer (NACK for what is missing) and the H.264 depacketizer; Opus goes to the AAC transcoder.
/// Every second it sends RTCP: REMB with the bitrate cap, NACKs, and PLI while a keyframe is awaited.
/// </summary>
public sealed class WhipSession : WebRtcPeer
{
    private static readonly TimeSpan JitterWait = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan FeedbackInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How long video waits for the audio track's configuration before it starts alone.</summary>
    private static readonly TimeSpan AudioWait = TimeSpan.FromSeconds(3);

    private readonly StreamHub _hub;
    private readonly string _streamId;
    private readonly ILogger _logger;
    private readonly WhipNegotiation _negotiation;
    private readonly uint _localSsrc = (uint)Random.Shared.Next(1, int.MaxValue);
    private readonly JitterBuffer _videoBuffer;
    private readonly H264RtpDepacketizer _h264 = new();
    private readonly RtpClock _videoClock = new(90000);
    private readonly RtpClock _audioClock = new(48000);
    private readonly Lock _mediaSync = new();
    private Publisher? _publisher;
    private OpusToAacTranscoder? _audio;
    private ITimer? _rtcpTimer;
    private long _epoch;
    private uint _videoSsrc;
    private uint _audioSsrc;
    private long _lastPli;
    private long _lastKeyframe;
    private bool _sawKeyframe;
    private long _lastReport;
    private bool _keyframeWanted = true;
    private bool _unpublished;

    public WhipSession(WebRtcTransport transport, SessionDescription offer, WhipNegotiation negotiation, string clientAddress, StreamHub hub, string streamId, ILogger logger)
        : base(transport, offer, clientAddress)
    {
        _negotiation = negotiation;
        _hub = hub;
        _streamId = streamId;
        _logger = logger;
        _videoBuffer = new JitterBuffer(512, JitterWait, transport.Time);
    }

    public string StreamId => _streamId;

    /// <summary>The client ended the session (HTTP DELETE): the stream ends now, without a reconnect window.</summary>
    public void Unpublish()
    {
        _unpublished = true;
        Close("the publisher ended the session");
    }

    protected override void OnConnected()
    {
        var info = new PublisherInfo("webrtc", Remote?.ToString() ?? ClientAddress);
        _hub.TryPublish(_streamId, info, out var publisher);
        if (publisher is null)
        {
            Close("the stream is already being published from another connection");
            return;
        }

        lock (_mediaSync)
        {
            _publisher = publisher;
            _epoch = Transport.Time.GetTimestamp();
            if (_negotiation.Audio is not null)
            {
                _audio = new OpusToAacTranscoder(Transport.Options.Ffmpeg, publisher, _logger);
            }
        }

        publisher.Revoked.Register(() => Close(publisher.RevokeReason ?? "disconnected by the server"));
        publisher.KeyframeRequested = () => _keyframeWanted = true;
        _rtcpTimer = Transport.Time.CreateTimer(_ => SendFeedback(), null, TimeSpan.Zero, FeedbackInterval);
        _logger.LogInformation("WHIP publish to {StreamId} from {Remote}: video {Video}, audio {Audio}", _streamId, Remote, _negotiation.Video?.Name ?? "none", _negotiation.Audio?.Name ?? "none");
    }

    protected override void OnRtp(byte[] buffer, int length)
    {
        var packet = buffer.AsSpan(0, length);
        byte payloadType = RtpHeader.PayloadType(packet);
        lock (_mediaSync)
        {
            if (_publisher is null)
            {
                return;
            }

            if (_negotiation.Video is { } video && payloadType == video.PayloadType)
            {
                _videoSsrc = RtpHeader.Ssrc(packet);
                if (_videoBuffer.Push(packet))
                {
                    _videoBuffer.Drain(HandleVideo);
                }
            }
            else if (_negotiation.Audio is { } audio && payloadType == audio.PayloadType && RtpHeader.TryGetLength(packet, out int headerLength))
            {
                _audioSsrc = RtpHeader.Ssrc(packet);
                long rtp = _audioClock.Unwrap(RtpHeader.Timestamp(packet));
                var payload = packet[headerLength..(length - RtpHeader.PaddingLength(packet))];
                _audio?.Push(payload, rtp, _audioClock.ToStreamMs(rtp, ElapsedMs()));
            }
        }
    }

    protected override void OnRtcp(ReadOnlySpan<byte> packet)
    {
        var reader = new RtcpReader(packet);
        while (reader.TryRead(out var rtcp))
        {
            if (rtcp.Type == RtcpWriter.ByeType && rtcp.SenderSsrc != 0 && (rtcp.SenderSsrc == _videoSsrc || rtcp.SenderSsrc == _audioSsrc))
            {
                _logger.LogDebug("WHIP publisher of {StreamId} sent RTCP BYE", _streamId);
            }
        }
    }

    protected override void OnClosed(string reason)
    {
        _rtcpTimer?.Dispose();
        Publisher? publisher;
        OpusToAacTranscoder? audio;
        lock (_mediaSync)
        {
            publisher = _publisher;
            audio = _audio;
            _publisher = null;
            _audio = null;
        }

        if (audio is not null)
        {
            _ = audio.DisposeAsync().AsTask();
        }

        if (publisher is not null)
        {
            _logger.LogInformation("WHIP publish to {StreamId} ended: {Reason}", _streamId, reason);
            if (_unpublished)
            {
                publisher.Unpublish();
            }

            publisher.Dispose();
        }
    }

    private void HandleVideo(ReadOnlySpan<byte> packet, bool discontinuity)
    {
        if (discontinuity)
        {
            _h264.Discontinuity();
        }

        if (!RtpHeader.TryGetLength(packet, out int headerLength))
        {
            return;
        }

        var payload = packet[headerLength..(packet.Length - RtpHeader.PaddingLength(packet))];
        uint timestamp = RtpHeader.Timestamp(packet);
        if (_h264.Push(payload, timestamp, RtpHeader.Marker(packet)) is not { } unit)
        {
            return;
        }

        if (_h264.ParameterSetsChanged && _h264.Sps is { } sps && _h264.Pps is { } pps)
        {
            _h264.ParameterSetsChanged = false;
            try
            {
                _publisher!.SetVideoConfig(VideoTrackConfig.Parse(VideoCodec.H264, AvcDecoderConfigurationRecord.Build(sps, pps)));
            }
            catch (Stagecast.Media.MediaFormatException ex)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(unit.Buffer);
                _publisher!.Fail($"the publisher's H.264 SPS is malformed: {ex.Message}");
                return;
            }
        }

        long rtp = _videoClock.Unwrap(unit.RtpTimestamp);
        long ms = _videoClock.ToStreamMs(rtp, ElapsedMs());
        if (_negotiation.Audio is not null && _publisher!.Stream.Audio is null && Transport.Time.GetElapsedTime(_epoch) < AudioWait)
        {
            // Readers lay out their tracks when video starts: hold it until the audio's configuration is known, then
            // start at a fresh keyframe.
            System.Buffers.ArrayPool<byte>.Shared.Return(unit.Buffer);
            _keyframeWanted = true;
            return;
        }

        if (unit.IsKeyframe)
        {
            _keyframeWanted = false;
            _sawKeyframe = true;
            _lastKeyframe = Transport.Time.GetTimestamp();
        }
        else if (!_sawKeyframe)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(unit.Buffer);
            return; // nothing before the first keyframe is decodable
        }

        _publisher!.Write(MediaFrame.FromPooledBuffer(MediaFrameKind.Video, unit.Buffer, 0, unit.Length, ms, 0, unit.IsKeyframe));
    }

    private void SendFeedback()
    {
        if (IsClosed)
        {
            return;
        }

        Span<byte> rtcp = stackalloc byte[1200];
        int length = RtcpWriter.EmptyReceiverReport(rtcp, _localSsrc);
        long now = Transport.Time.GetTimestamp();
        bool report = Transport.Time.GetElapsedTime(_lastReport, now) >= TimeSpan.FromSeconds(1);
        Span<uint> ssrcs = stackalloc uint[2];
        int count = 0;
        uint videoSsrc;
        lock (_mediaSync)
        {
            videoSsrc = _videoSsrc;
            if (videoSsrc != 0)
            {
                ssrcs[count++] = videoSsrc;
                Span<ushort> missing = stackalloc ushort[64];
                int lost = _videoBuffer.Missing(missing);
                if (lost > 0)
                {
                    length += RtcpWriter.Nack(rtcp[length..], _localSsrc, videoSsrc, missing[..lost]);
                }

                bool due = _sawKeyframe && Transport.Time.GetElapsedTime(_lastKeyframe, now) >= Transport.Options.KeyframeInterval - FeedbackInterval;
                if ((_h264.WaitingForKeyframe || _keyframeWanted || due) && Transport.Time.GetElapsedTime(_lastPli, now) >= TimeSpan.FromMilliseconds(500))
                {
                    _lastPli = now;
                    length += RtcpWriter.Pli(rtcp[length..], _localSsrc, videoSsrc);
                }
            }

            if (_audioSsrc != 0)
            {
                ssrcs[count++] = _audioSsrc;
            }
        }

        if (count > 0 && report)
        {
            _lastReport = now;
            length += RtcpWriter.Remb(rtcp[length..], _localSsrc, (ulong)Transport.Options.MaxPublishKbps * 1000, ssrcs[..count]);
        }

        if (length > 8 || report)
        {
            SendRtcp(rtcp[..length]);
        }
    }

    private long ElapsedMs() => (long)Transport.Time.GetElapsedTime(_epoch).TotalMilliseconds;
}
