using Microsoft.Extensions.Logging;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whip;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// A meeting participant's WHIP session for one source (camera or screen share): its RTP goes, as it came, to its
/// stream in the meeting's hub, whose RTP readers (the other participants' subscriptions) forward it. Nothing is
/// depacketized or transcoded. Every feedback tick it sends a receiver report with what each track lost, NACKs for
/// video gaps still worth filling, a PLI when a subscriber wants a keyframe (at most one per 500 ms), and REMB with
/// the bitrate cap. A muted track's packets are counted and dropped. A publisher that sends nothing, not even RTCP,
/// for <c>mediaTimeout</c> is gone (a browser sends packets while it lives, muted or not) and is closed without
/// waiting for ICE consent to expire.
/// </summary>
public sealed partial class SfuPublisher : WebRtcSession
{
    private static readonly TimeSpan FeedbackInterval = TimeSpan.FromMilliseconds(250);

    private readonly StreamHub _hub;
    private ISfuPublisherListener _listener;
    private readonly ILogger _logger;
    private readonly uint _localSsrc = (uint)Random.Shared.Next(1, int.MaxValue);
    private readonly Lock _sync = new();
    private readonly KeyframeRequester _keyframes;
    private readonly RembSender _remb;
    private readonly TimeSpan _mediaTimeout;
    private long _lastPacket;
    private Publisher? _publisher;
    private ITimer? _feedback;
    private bool _unpublished;
    private bool _attached;
    private bool _connected;
    private long _levelSum;
    private int _levelCount;

    public SfuPublisher(WebRtcTransport transport, SdpSessionDescription offer, WhipNegotiation negotiation, string clientAddress, StreamHub hub,
        string streamId, ISfuPublisherListener listener, TimeSpan mediaTimeout, ILogger logger)
        : base(transport, offer, clientAddress)
    {
        _mediaTimeout = mediaTimeout;
        Negotiation = negotiation;
        StreamId = streamId;
        _hub = hub;
        _listener = listener;
        _attached = true;
        _logger = logger;
        Video = negotiation.Video is { } video ? new SfuTrack(true, video, transport.Time) : null;
        Audio = negotiation.Audio is { } audio ? new SfuTrack(false, audio, transport.Time) : null;
        (_videoMid, _audioMid) = (MidOf(negotiation, negotiation.Video), MidOf(negotiation, negotiation.Audio));
        // No periodic keyframes: nothing here cuts segments; keyframes go out when a subscriber needs one.
        _keyframes = new KeyframeRequester(transport.Time, Timeout.InfiniteTimeSpan);
        _remb = new RembSender(transport.Time, (ulong)transport.Options.MaxPublishKbps * 1000);
    }

    /// <summary>The stream in the meeting's hub this session publishes to.</summary>
    public string StreamId { get; private set; }

    public WhipNegotiation Negotiation { get; private set; }

    public SfuTrack? Video { get; private set; }

    public SfuTrack? Audio { get; private set; }

    /// <summary>PLIs sent to the publisher and sequence numbers it was asked to send again.</summary>
    public (long Plis, long Nacked) Feedback => (_keyframes.Sent, Video?.Loss.Requested ?? 0);

    /// <summary>The client ended the session (HTTP DELETE): its stream ends now, and with it every subscription.</summary>
    public void Unpublish()
    {
        _unpublished = true;
        Close("the publisher ended the session");
    }

    /// <summary>Mutes or unmutes a track: a muted track's packets are dropped; an unmuted one starts afresh for its readers.</summary>
    public void SetMuted(bool video, bool muted)
    {
        Publisher? publisher;
        lock (_sync)
        {
            var track = video ? Video : Audio;
            if (track is null || track.Muted == muted)
            {
                return;
            }

            track.Muted = muted;
            publisher = _publisher;
        }

        if (!muted)
        {
            publisher?.RestartRtp(video);
            if (video)
            {
                _keyframes.Request();
            }
        }

        _listener.OnTracksChanged(this);
    }

    /// <summary>
    /// How loud the audio was since the last call: the mean RFC 6464 level of its packets (0 loudest, 127 silence);
    /// silence when it carries no levels, sent nothing or is muted.
    /// </summary>
    public int TakeAudioLevel()
    {
        lock (_sync)
        {
            int level = _levelCount == 0 || Audio is not { Forwarding: true } ? AudioLevel.Silence : (int)(_levelSum / _levelCount);
            (_levelSum, _levelCount) = (0, 0);
            return level;
        }
    }

    protected override void OnConnected()
    {
        lock (_sync)
        {
            _connected = true;
            if (!_attached)
            {
                return; // it publishes when attached
            }
        }

        StartPublishing();
    }

    private void StartPublishing()
    {
        if (IsClosed)
        {
            return;
        }

        _listener.OnConnecting(this);
        var info = new PublisherInfo("webrtc", Remote?.ToString() ?? ClientAddress);
        _hub.TryPublish(StreamId, info, out var publisher);
        if (publisher is null)
        {
            Close("the source is being published from another session");
            return;
        }

        lock (_sync)
        {
            _publisher = publisher;
            _lastPacket = Transport.Time.GetTimestamp();
        }

        publisher.Revoked.Register(() => Close(publisher.RevokeReason ?? "disconnected by the server"));
        publisher.KeyframeRequested = _keyframes.Request;
        publisher.SetRtpFormats(Video?.Codec.Format, Audio?.Codec.Format);
        _feedback = Transport.Time.CreateTimer(_ => SendFeedback(), null, TimeSpan.Zero, FeedbackInterval);
        SfuLog.Publishing(_logger, StreamId, Remote, Video?.Codec.Name ?? "none", Audio?.Codec.Name ?? "none");
    }

    protected override void OnRtp(byte[] buffer, int length)
    {
        var packet = buffer.AsSpan(0, length);
        byte payloadType = RtpHeader.PayloadType(packet);
        bool started;
        SfuTrack track;
        lock (_sync)
        {
            if (_publisher is not { } publisher)
            {
                return;
            }

            _lastPacket = Transport.Time.GetTimestamp();
            if (Video is { } video && payloadType == video.Codec.PayloadType)
            {
                track = video;
            }
            else if (Audio is { } audio && payloadType == audio.Codec.PayloadType)
            {
                track = audio;
                if (Negotiation.AudioLevelId > 0 && AudioLevel.TryRead(packet, Negotiation.AudioLevelId, out int level))
                {
                    _levelSum += level;
                    _levelCount++;
                }
            }
            else
            {
                return;
            }

            started = track.Count(packet);
            if (track.Muted)
            {
                return;
            }

            if (track.StartsKeyframe(packet))
            {
                _keyframes.KeyframeArrived();
            }

            publisher.WriteRtp(packet, track.IsVideo);
        }

        if (started)
        {
            _listener.OnTracksChanged(this);
        }
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
            Publisher? publisher;
            bool video;
            lock (_sync)
            {
                var track = Video is { } v && v.Ssrc == rtcp.SenderSsrc ? v : Audio is { } a && a.Ssrc == rtcp.SenderSsrc ? a : null;
                if (track is null)
                {
                    continue;
                }

                track.SenderReported(ntp);
                video = track.IsVideo;
                publisher = track.Muted ? null : _publisher;
            }

            publisher?.WriteSenderReport(video, ntp, rtp);
        }
    }

    protected override void OnClosed(string reason)
    {
        _feedback?.Dispose();
        Publisher? publisher;
        lock (_sync)
        {
            publisher = _publisher;
            _publisher = null;
        }

        if (publisher is not null)
        {
            SfuLog.Ended(_logger, StreamId, reason);
            if (_unpublished)
            {
                publisher.Unpublish();
            }

            publisher.Dispose();
        }

        _listener.OnClosed(this, reason);
    }

    private void SendFeedback()
    {
        if (IsClosed)
        {
            return;
        }

        // A connection with no track yet (or any more) sends nothing to wait for.
        if (Transport.Time.GetElapsedTime(Volatile.Read(ref _lastPacket)) > _mediaTimeout && (Video is not null || Audio is not null))
        {
            Close($"the publisher sent nothing for {_mediaTimeout.TotalSeconds} s");
            return;
        }

        Span<byte> rtcp = stackalloc byte[1200];
        Span<ReceptionReport> reports = stackalloc ReceptionReport[2];
        Span<uint> ssrcs = stackalloc uint[2];
        Span<ushort> missing = stackalloc ushort[NackGenerator.MaxPerPacket];
        int count = 0;
        int length;
        lock (_sync)
        {
            foreach (var track in (ReadOnlySpan<SfuTrack?>)[Video, Audio])
            {
                if (track is { StartedAt: not null })
                {
                    reports[count] = track.Report();
                    ssrcs[count++] = track.Ssrc;
                }
            }

            length = RtcpWriter.ReceiverReport(rtcp, _localSsrc, reports[..count]);
            if (Video is { StartedAt: not null } video)
            {
                int lost = video.Loss.Due(missing);
                if (lost > 0)
                {
                    length += RtcpWriter.Nack(rtcp[length..], _localSsrc, video.Ssrc, missing[..lost]);
                }

                length += _keyframes.WriteIfDue(rtcp[length..], _localSsrc, video.Ssrc, decoderWaiting: false);
            }
        }

        length += _remb.WriteIfDue(rtcp[length..], _localSsrc, ssrcs[..count]);
        SendRtcp(rtcp[..length]);
    }
}
