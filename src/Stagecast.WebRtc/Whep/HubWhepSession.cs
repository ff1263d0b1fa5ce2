using Microsoft.Extensions.Logging;
using Stagecast.Media.Codecs.H264;
using Stagecast.Streaming;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Whep;

/// <summary>
/// A WHEP viewer fed from the hub's frames (an RTMP stream, or a WebRTC one in codecs the viewer does not take as they
/// came): it reads the stream through its own bounded queue (a slow viewer drops its own frames and resumes at a
/// keyframe, nobody else notices), packetizes H.264, and receives Opus from the stream's shared transcoder. Both
/// tracks' RTP timestamps come from one <see cref="RtpTimeline"/>, and sender reports tie them to wall-clock time so
/// the player can keep them in sync.
/// </summary>
public sealed class HubWhepSession : WhepSession
{
    private const int MaxPayload = 1200;

    private readonly OpusFeeds _opus;
    private readonly Action<ReadOnlyMemory<byte>, long> _onOpus;
    private readonly RtpTimeline _timeline;
    private readonly byte[] _packet = new byte[1500];
    private LiveStreamReader? _reader;
    private ITimer? _reports;
    private ushort _videoSeq = (ushort)Random.Shared.Next();
    private ushort _audioSeq = (ushort)Random.Shared.Next();
    private bool _opusSubscribed;
    private Stagecast.Media.Codecs.VideoTrackConfig? _config;
    private byte[] _sps = [];
    private byte[] _pps = [];

    public HubWhepSession(WebRtcTransport transport, SessionDescription offer, WhepNegotiation negotiation, string clientAddress, LiveStream stream, OpusFeeds opus, ILogger logger)
        : base(transport, offer, negotiation, clientAddress, stream, logger)
    {
        _opus = opus;
        _onOpus = SendOpus;
        _timeline = new RtpTimeline(transport.Time);
    }

    protected override void OnConnected()
    {
        if (Negotiation.Video is not null)
        {
            _reader = Stream.AddReader($"whep-{Id}", new ReaderOptions { MaxQueuedFrames = 256, MaxQueuedBytes = 4 * 1024 * 1024, StartWithCachedGop = false, IsViewer = true });
            Stream.RequestKeyframe();
            _ = Task.Run(PumpVideoAsync);
        }

        if (Negotiation.Audio is not null)
        {
            _opusSubscribed = true;
            _opus.Subscribe(Stream, _onOpus);
        }

        _reports = Transport.Time.CreateTimer(_ => SendReports(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
        Logger.LogInformation("WHEP viewer of {StreamId} connected from {Remote}", Stream.Id, Remote);
    }

    protected override void OnClosed(string reason)
    {
        _reports?.Dispose();
        _reader?.Dispose();
        if (_opusSubscribed)
        {
            _opus.Unsubscribe(Stream, _onOpus);
        }

        Logger.LogInformation("WHEP viewer of {StreamId} left: {Reason}", Stream.Id, reason);
    }

    private async Task PumpVideoAsync()
    {
        var reader = _reader!;
        try
        {
            while (await reader.WaitToReadAsync(Closed).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        if (frame.Kind == MediaFrameKind.Video)
                        {
                            SendVideo(frame);
                        }
                        else if (frame.Kind == MediaFrameKind.StreamEnded)
                        {
                            Close("the stream ended");
                        }
                    }
                    finally
                    {
                        frame.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        Close("the stream ended");
    }

    private void SendVideo(MediaFrame frame)
    {
        if (Stream.Video is not { } config || frame.CompositionOffset != 0)
        {
            if (frame.CompositionOffset != 0)
            {
                Close("the stream's H.264 has B-frames, which WebRTC cannot carry");
            }

            return;
        }

        if (!ReferenceEquals(config, _config))
        {
            var avcc = AvcDecoderConfigurationRecord.Parse(config.ConfigurationRecord);
            _sps = avcc.SequenceParameterSets.Count > 0 ? avcc.SequenceParameterSets[0] : [];
            _pps = avcc.PictureParameterSets.Count > 0 ? avcc.PictureParameterSets[0] : [];
            _config = config;
        }

        var sps = frame.IsKeyframe ? _sps : [];
        var pps = frame.IsKeyframe ? _pps : [];
        uint timestamp = _timeline.Video(frame.Timestamp);
        H264RtpPacketizer.Packetize(frame.Span, config.NalLengthSize, MaxPayload, sps, pps, frame.IsKeyframe, (payload, marker) =>
        {
            var packet = _packet.AsSpan(0, RtpHeader.FixedLength + payload.Length);
            RtpHeader.Write(packet, marker, (byte)Negotiation.Video!.PayloadType, _videoSeq++, timestamp, Negotiation.VideoSsrc);
            payload.CopyTo(packet[RtpHeader.FixedLength..]);
            SendVideoPacket(packet, payload.Length);
        });
        WebRtcMetrics.HubDelay.Record(Transport.Time.GetElapsedTime(frame.ReceivedAt).TotalSeconds);
    }

    private void SendOpus(ReadOnlyMemory<byte> opus, long streamMs)
    {
        if (IsClosed || !IsConnected)
        {
            return;
        }

        try
        {
            Span<byte> packet = stackalloc byte[RtpHeader.FixedLength + opus.Length];
            RtpHeader.Write(packet, false, (byte)Negotiation.Audio!.PayloadType, _audioSeq++, _timeline.Audio(streamMs), Negotiation.AudioSsrc);
            opus.Span.CopyTo(packet[RtpHeader.FixedLength..]);
            SendAudioPacket(packet, opus.Length);
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
            length += Reports.Write(rtcp, video: true, Negotiation.VideoSsrc, ntp, video);
        }

        if (Negotiation.Audio is not null)
        {
            length += Reports.Write(rtcp[length..], video: false, Negotiation.AudioSsrc, ntp, audio);
        }

        SendRtcp(rtcp[..length]);
    }
}
