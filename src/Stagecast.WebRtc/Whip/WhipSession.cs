using System.Buffers;
using Microsoft.Extensions.Logging;
using Stagecast.FfmpegProcesses;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.Vp8;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.Streaming.Rtp;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transcoding;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Whip;

/// <summary>
/// A WHIP publisher (RFC 9725): once DTLS completes it publishes to its livestream like any ingest. Its RTP goes to
/// the stream as it came (forwarding readers take it from there) and is turned into frames: video through a jitter
/// buffer and the H.264 or VP8 depacketizer, Opus through the AAC transcoder. Every feedback tick it sends RTCP from
/// its behaviours: NACKs for what the jitter buffer misses, PLI when a keyframe is due, REMB with the bitrate cap.
/// </summary>
public sealed class WhipSession : WebRtcSession
{
    private static readonly TimeSpan JitterWait = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan FeedbackInterval = TimeSpan.FromMilliseconds(250);

    private readonly StreamHub _hub;
    private readonly string _streamId;
    private readonly ILogger _logger;
    private readonly FfmpegLauncher _ffmpeg;
    private readonly PublishNegotiation _negotiation;
    private readonly uint _localSsrc = (uint)Random.Shared.Next(1, int.MaxValue);
    private readonly JitterBuffer _videoBuffer;
    private readonly H264RtpDepacketizer _h264 = new();
    private readonly Vp8RtpDepacketizer? _vp8;
    private Vp8ToH264Transcoder? _vp8Transcoder;
    private int _vp8Width;
    private int _vp8Height;
    private readonly RtpClock _videoClock = new(90000);
    private readonly RtpClock _audioClock = new(48000);
    private readonly Lock _mediaSync = new();
    private readonly NackGenerator _nacks;
    private readonly KeyframeRequester _keyframes;
    private readonly RembSender _remb;
    private Publisher? _publisher;
    private OpusToAacTranscoder? _audio;
    private ITimer? _rtcpTimer;
    private long _epoch;
    private uint _videoSsrc;
    private uint _audioSsrc;
    private bool _sawKeyframe;
    private bool _unpublished;

    public WhipSession(WebRtcTransport transport, SdpSessionDescription offer, PublishNegotiation negotiation, string clientAddress, StreamHub hub, string streamId,
        FfmpegLauncher ffmpeg, ILogger logger)
        : base(transport, offer, clientAddress, publishes: true)
    {
        _negotiation = negotiation;
        _hub = hub;
        _streamId = streamId;
        _logger = logger;
        _ffmpeg = ffmpeg;
        _videoBuffer = new JitterBuffer(512, JitterWait, transport.Time);
        _vp8 = negotiation.Video?.Is("VP8") == true ? new Vp8RtpDepacketizer() : null;
        _nacks = new NackGenerator(_localSsrc);
        _keyframes = new KeyframeRequester(transport.Time, transport.Options.KeyframeInterval);
        _remb = new RembSender(transport.Time, (ulong)transport.Options.MaxPublishKbps * 1000);
    }

    public string StreamId => _streamId;

    public RtpCodec? PublishedVideo => _negotiation.Video;

    public RtpCodec? PublishedAudio => _negotiation.Audio;

    /// <summary>The Opus to AAC transcoder while one runs (diagnostics and tests).</summary>
    public IngestTranscoder? AudioTranscoder => _audio;

    /// <summary>Asks the publisher for a keyframe at the next feedback tick (PLI).</summary>
    public void RequestKeyframe() => _keyframes.Request();

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

        // The hub holds media until the tracks the SDP negotiated are configured (the AAC and, from VP8, the H.264 come from ffmpeg).
        publisher.DeclareTracks((_negotiation.Video is null ? StreamTracks.None : StreamTracks.Video) | (_negotiation.Audio is null ? StreamTracks.None : StreamTracks.Audio));
        lock (_mediaSync)
        {
            _publisher = publisher;
            _epoch = Transport.Time.GetTimestamp();
            if (_negotiation.Audio is not null)
            {
                _audio = new OpusToAacTranscoder(_ffmpeg, publisher, _logger);
            }
        }

        publisher.Revoked.Register(() => Close(publisher.RevokeReason ?? "disconnected by the server"));
        publisher.KeyframeRequested = RequestKeyframe;
        publisher.SetRtpFormats(_negotiation.Video?.Format, _negotiation.Audio?.Format);
        _rtcpTimer = Transport.Time.CreateTimer(_ => SendFeedback(), null, TimeSpan.Zero, FeedbackInterval);
        WhipLog.Publishing(_logger, _streamId, Remote, _negotiation.Video?.Name ?? "none", _negotiation.Audio?.Name ?? "none");
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

            bool isVideo = _negotiation.Video is { } v && payloadType == v.PayloadType;
            if (isVideo || (_negotiation.Audio is { } a && payloadType == a.PayloadType))
            {
                _publisher.WriteRtp(packet, isVideo);
            }

            if (_negotiation.Video is { } video && payloadType == video.PayloadType)
            {
                _videoSsrc = RtpHeader.Ssrc(packet);
                if (_videoBuffer.Push(packet))
                {
                    _videoBuffer.Drain(HandleVideo);
                }
            }
            else if (_negotiation.Audio is { } audio && payloadType == audio.PayloadType && RtpHeader.TryGetPayload(packet, out var payload))
            {
                _audioSsrc = RtpHeader.Ssrc(packet);
                long rtp = _audioClock.Unwrap(RtpHeader.Timestamp(packet));
                _audio?.Push(payload, rtp, _audioClock.ToStreamMs(rtp, ElapsedMs()));
            }
        }
    }

    protected override void OnRtcp(ReadOnlySpan<byte> packet)
    {
        var reader = new RtcpReader(packet);
        while (reader.TryRead(out var rtcp))
        {
            if (rtcp.Type == RtcpWriter.SenderReportType && rtcp.Body.Length >= 16 && rtcp.SenderSsrc != 0)
            {
                bool video = rtcp.SenderSsrc == _videoSsrc;
                if (video || rtcp.SenderSsrc == _audioSsrc)
                {
                    ulong ntp = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(rtcp.Body[4..]);
                    uint rtp = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(rtcp.Body[12..]);
                    Volatile.Read(ref _publisher)?.WriteSenderReport(video, ntp, rtp);
                }
            }
        }
    }

    protected override void OnClosed(string reason)
    {
        _rtcpTimer?.Dispose();
        Publisher? publisher;
        IngestTranscoder?[] transcoders;
        lock (_mediaSync)
        {
            publisher = _publisher;
            transcoders = [_audio, _vp8Transcoder];
            _publisher = null;
            _audio = null;
            _vp8Transcoder = null;
        }

        foreach (var transcoder in transcoders)
        {
            if (transcoder is not null)
            {
                _ = transcoder.DisposeAsync().AsTask();
            }
        }

        if (publisher is not null)
        {
            WhipLog.Ended(_logger, _streamId, reason);
            if (_unpublished)
            {
                publisher.Unpublish();
            }

            publisher.Dispose();
        }
    }

    private void HandleVideo(ReadOnlySpan<byte> packet, bool discontinuity)
    {
        if (!RtpHeader.TryGetPayload(packet, out var payload))
        {
            return;
        }

        uint timestamp = RtpHeader.Timestamp(packet);
        bool marker = RtpHeader.Marker(packet);
        if (_vp8 is { } vp8)
        {
            if (discontinuity)
            {
                vp8.Discontinuity();
            }

            if (vp8.Push(payload, timestamp, marker) is { } frame)
            {
                HandleVp8(frame);
            }

            return;
        }

        if (discontinuity)
        {
            _h264.Discontinuity();
        }

        if (_h264.Push(payload, timestamp, marker) is { } unit)
        {
            HandleH264(unit);
        }
    }

    private void HandleH264(H264AccessUnit unit)
    {
        if (_h264.ParameterSetsChanged && _h264.Sps is { } sps && _h264.Pps is { } pps)
        {
            _h264.ParameterSetsChanged = false;
            try
            {
                _publisher!.SetVideoConfig(VideoTrackConfig.Parse(VideoCodec.H264, AvcDecoderConfigurationRecord.Build(sps, pps)));
            }
            catch (Stagecast.Media.MediaFormatException ex)
            {
                ArrayPool<byte>.Shared.Return(unit.Buffer);
                _publisher!.Fail($"the publisher's H.264 SPS is malformed: {ex.Message}");
                return;
            }
        }

        if (Admit(unit.RtpTimestamp, unit.IsKeyframe) is not { } ms)
        {
            ArrayPool<byte>.Shared.Return(unit.Buffer);
            return;
        }

        _publisher!.Write(MediaFrame.FromPooledBuffer(MediaFrameKind.Video, unit.Buffer, 0, unit.Length, ms, 0, unit.IsKeyframe));
    }

    private void HandleVp8(Vp8Frame frame)
    {
        if (frame.IsKeyframe)
        {
            (_vp8Width, _vp8Height) = Vp8RtpDepacketizer.KeyframeSize(frame.Buffer.AsSpan(0, frame.Length));
        }

        if (Admit(frame.RtpTimestamp, frame.IsKeyframe) is { } ms)
        {
            _vp8Transcoder ??= new Vp8ToH264Transcoder(_ffmpeg, _publisher!, _logger);
            _vp8Transcoder.Push(frame.Buffer.AsSpan(0, frame.Length), frame.IsKeyframe, _vp8Width, _vp8Height, ms);
        }

        ArrayPool<byte>.Shared.Return(frame.Buffer);
    }

    /// <summary>The stream time of a picture that may go on, or null before the first keyframe.</summary>
    private long? Admit(uint rtpTimestamp, bool keyframe)
    {
        long ms = _videoClock.ToStreamMs(_videoClock.Unwrap(rtpTimestamp), ElapsedMs());
        if (keyframe)
        {
            _keyframes.KeyframeArrived();
            _sawKeyframe = true;
        }

        return _sawKeyframe ? ms : null; // nothing before the first keyframe is decodable
    }

    private void SendFeedback()
    {
        if (IsClosed)
        {
            return;
        }

        Span<byte> rtcp = stackalloc byte[1200];
        int length = RtcpWriter.EmptyReceiverReport(rtcp, _localSsrc);
        Span<uint> ssrcs = stackalloc uint[2];
        int count = 0;
        lock (_mediaSync)
        {
            if (_videoSsrc != 0)
            {
                ssrcs[count++] = _videoSsrc;
                length += _nacks.Write(rtcp[length..], _videoSsrc, _videoBuffer);
                length += _keyframes.WriteIfDue(rtcp[length..], _localSsrc, _videoSsrc, _vp8?.WaitingForKeyframe ?? _h264.WaitingForKeyframe);
            }

            if (_audioSsrc != 0)
            {
                ssrcs[count++] = _audioSsrc;
            }
        }

        int remb = _remb.WriteIfDue(rtcp[length..], _localSsrc, ssrcs[..count]);
        length += remb;
        if (length > 8 || remb > 0)
        {
            SendRtcp(rtcp[..length]);
        }
    }

    private long ElapsedMs() => (long)Transport.Time.GetElapsedTime(_epoch).TotalMilliseconds;
}
