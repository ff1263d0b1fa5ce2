using Microsoft.Extensions.Logging;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.Vp8;
using Stagecast.Streaming;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whip;

namespace Stagecast.WebRtc.Whep;

/// <summary>
/// A WHEP viewer: once DTLS completes it reads the live stream through its own bounded queue (a slow viewer drops its
/// own frames and resumes at a keyframe, nobody else notices), packetizes H.264, and receives Opus from the stream's
/// shared transcoder. Both tracks' RTP timestamps come from one anchor, and sender reports map them to wall-clock time
/// so the player can keep them in sync. NACKs are answered from a cache of recent video packets; PLI asks the
/// publisher for a keyframe when it can make one.
/// </summary>
public sealed class WhepSession : WebRtcPeer, IRtpSink
{
    private const int MaxPayload = 1200;
    private const int CacheSize = 512;

    private readonly LiveStream _stream;
    private readonly WhepNegotiation _negotiation;
    private readonly OpusFeeds _opus;
    private readonly ILogger _logger;
    private readonly Action<ReadOnlyMemory<byte>, long> _onOpus;
    private readonly byte[][] _cache = new byte[CacheSize][];
    private readonly int[] _cacheLengths = new int[CacheSize];
    private readonly byte[] _packet = new byte[1500];
    private readonly uint _videoBase = (uint)Random.Shared.Next();
    private readonly uint _audioBase = (uint)Random.Shared.Next();
    private readonly Lock _anchorSync = new();
    private LiveStreamReader? _reader;
    private ITimer? _reports;
    private long _anchorMs = long.MinValue;
    private long _anchorTicks;
    private ushort _videoSeq = (ushort)Random.Shared.Next();
    private ushort _audioSeq = (ushort)Random.Shared.Next();
    private uint _videoPackets;
    private uint _videoOctets;
    private uint _audioPackets;
    private uint _audioOctets;
    private bool _opusSubscribed;
    private readonly byte[] _forward = new byte[1500];
    private bool _forwardStarted;
    private bool _audioForwardStarted;
    private ushort _videoSeqOffset;
    private ushort _audioSeqOffset;
    private Stagecast.Media.Codecs.VideoTrackConfig? _config;
    private byte[] _sps = [];
    private byte[] _pps = [];

    public WhepSession(WebRtcTransport transport, SessionDescription offer, WhepNegotiation negotiation, string clientAddress, LiveStream stream, OpusFeeds opus, ILogger logger)
        : base(transport, offer, clientAddress)
    {
        _stream = stream;
        _negotiation = negotiation;
        _opus = opus;
        _logger = logger;
        _onOpus = SendOpus;
    }

    public string StreamId => _stream.Id;

    protected override void OnConnected()
    {
        if (_negotiation.Source is { } source)
        {
            // A WHIP publisher's RTP as it comes: no hub, no transcoding; it is asked for a keyframe to start on.
            source.AddSink(this);
            source.RequestKeyframe();
            _logger.LogInformation("WHEP viewer of {StreamId} connected from {Remote}, forwarded from its WHIP publisher", _stream.Id, Remote);
            return;
        }

        if (_negotiation.Video is not null)
        {
            _reader = _stream.AddReader($"whep-{Id}", new ReaderOptions { MaxQueuedFrames = 256, MaxQueuedBytes = 4 * 1024 * 1024, StartWithCachedGop = false });
            _stream.RequestKeyframe();
            _ = Task.Run(PumpVideoAsync);
        }

        if (_negotiation.Audio is not null)
        {
            _opusSubscribed = true;
            _opus.Subscribe(_stream, _onOpus);
        }

        _reports = Transport.Time.CreateTimer(_ => SendReports(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
        _logger.LogInformation("WHEP viewer of {StreamId} connected from {Remote}", _stream.Id, Remote);
    }

    protected override void OnRtp(byte[] buffer, int length)
    {
        // A viewer sends no media.
    }

    protected override void OnRtcp(ReadOnlySpan<byte> packet)
    {
        var reader = new RtcpReader(packet);
        Span<ushort> lost = stackalloc ushort[128];
        while (reader.TryRead(out var rtcp))
        {
            if (rtcp.IsPli || rtcp.IsFir)
            {
                if (_negotiation.Source is { } source)
                {
                    source.RequestKeyframe();
                }
                else
                {
                    _stream.RequestKeyframe();
                }
            }
            else if (rtcp.IsNack && rtcp.MediaSsrc == _negotiation.VideoSsrc)
            {
                int count = rtcp.NackedSequences(lost);
                foreach (ushort sequence in lost[..count])
                {
                    Retransmit(sequence);
                }
            }
        }
    }

    public void OnPublisherRtp(ReadOnlySpan<byte> packet, bool video)
    {
        if (!IsConnected || IsClosed || !RtpHeader.TryGetLength(packet, out int headerLength) || packet.Length > _forward.Length - 16)
        {
            return;
        }

        var codec = video ? _negotiation.Video : _negotiation.Audio;
        if (codec is null)
        {
            return;
        }

        ushort sequence = RtpHeader.SequenceNumber(packet);
        if (video && !_forwardStarted)
        {
            var payload = packet[headerLength..];
            bool keyframe = codec.Is("VP8") ? Vp8RtpDepacketizer.StartsKeyframe(payload) : H264RtpDepacketizer.StartsKeyframe(payload);
            if (!keyframe)
            {
                return; // a new viewer starts at a keyframe
            }

            _forwardStarted = true;
            _videoSeqOffset = (ushort)(_videoSeq - sequence);
        }
        else if (!video && !_audioForwardStarted)
        {
            _audioForwardStarted = true;
            _audioSeqOffset = (ushort)(_audioSeq - sequence);
        }

        lock (_forward)
        {
            var copy = _forward.AsSpan(0, packet.Length);
            packet.CopyTo(copy);
            copy[1] = (byte)((copy[1] & 0x80) | codec.PayloadType);
            ushort rewritten = (ushort)(sequence + (video ? _videoSeqOffset : _audioSeqOffset));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(copy[2..], rewritten);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(copy[8..], video ? _negotiation.VideoSsrc : _negotiation.AudioSsrc);
            if (video)
            {
                Cache(rewritten, copy);
                _videoPackets++;
                _videoOctets += (uint)(packet.Length - headerLength);
            }
            else
            {
                _audioPackets++;
                _audioOctets += (uint)(packet.Length - headerLength);
            }

            SendRtp(copy);
        }

        WebRtcMetrics.ForwardDelay.Record(System.Diagnostics.Stopwatch.GetElapsedTime(WebRtcMetrics.PacketReceivedAt).TotalSeconds);
    }

    public void OnPublisherSenderReport(bool video, ulong ntpTime, uint rtpTimestamp)
    {
        if (!IsConnected || IsClosed || (video ? _negotiation.Video : _negotiation.Audio) is null)
        {
            return;
        }

        Span<byte> rtcp = stackalloc byte[28];
        RtcpWriter.SenderReport(rtcp, video ? _negotiation.VideoSsrc : _negotiation.AudioSsrc, ntpTime, rtpTimestamp,
            video ? _videoPackets : _audioPackets, video ? _videoOctets : _audioOctets);
        SendRtcp(rtcp);
    }

    protected override void OnClosed(string reason)
    {
        _negotiation.Source?.RemoveSink(this);
        _reports?.Dispose();
        _reader?.Dispose();
        if (_opusSubscribed)
        {
            _opus.Unsubscribe(_stream, _onOpus);
        }

        _logger.LogInformation("WHEP viewer of {StreamId} left: {Reason}", _stream.Id, reason);
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
        if (_stream.Video is not { } config || frame.CompositionOffset != 0)
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
        uint timestamp = _videoBase + (uint)(RelativeMs(frame.Timestamp) * 90);
        H264RtpPacketizer.Packetize(frame.Span, config.NalLengthSize, MaxPayload, sps, pps, frame.IsKeyframe, (payload, marker) =>
        {
            var packet = _packet.AsSpan(0, RtpHeader.FixedLength + payload.Length);
            RtpHeader.Write(packet, marker, (byte)_negotiation.Video!.PayloadType, _videoSeq, timestamp, _negotiation.VideoSsrc);
            payload.CopyTo(packet[RtpHeader.FixedLength..]);
            Cache(_videoSeq, packet);
            _videoSeq++;
            _videoPackets++;
            _videoOctets += (uint)payload.Length;
            SendRtp(packet);
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
            uint timestamp = _audioBase + (uint)(RelativeMs(streamMs) * 48);
            RtpHeader.Write(packet, false, (byte)_negotiation.Audio!.PayloadType, _audioSeq++, timestamp, _negotiation.AudioSsrc);
            opus.Span.CopyTo(packet[RtpHeader.FixedLength..]);
            _audioPackets++;
            _audioOctets += (uint)opus.Length;
            SendRtp(packet);
        }
        catch (Exception ex) when (ex is WebRtcProtocolException or ObjectDisposedException)
        {
            Close($"sending audio failed: {ex.Message}");
        }
    }

    /// <summary>Milliseconds since the first media sent; the first call sets the anchor both tracks share.</summary>
    private long RelativeMs(long streamMs)
    {
        lock (_anchorSync)
        {
            if (_anchorMs == long.MinValue)
            {
                _anchorMs = streamMs;
                _anchorTicks = Transport.Time.GetTimestamp();
            }

            return streamMs - _anchorMs;
        }
    }

    private void Cache(ushort sequence, ReadOnlySpan<byte> packet)
    {
        int slot = sequence % CacheSize;
        lock (_cache)
        {
            var entry = _cache[slot] ??= new byte[1500];
            packet.CopyTo(entry);
            _cacheLengths[slot] = packet.Length;
        }
    }

    private void Retransmit(ushort sequence)
    {
        int slot = sequence % CacheSize;
        lock (_cache)
        {
            if (_cache[slot] is { } entry && _cacheLengths[slot] >= RtpHeader.FixedLength && RtpHeader.SequenceNumber(entry) == sequence)
            {
                SendRtp(entry.AsSpan(0, _cacheLengths[slot]));
            }
        }
    }

    /// <summary>Sender reports for both tracks: now on the NTP clock against the RTP time the anchor gives for now.</summary>
    private void SendReports()
    {
        long elapsedMs;
        lock (_anchorSync)
        {
            if (_anchorMs == long.MinValue)
            {
                return;
            }

            elapsedMs = (long)Transport.Time.GetElapsedTime(_anchorTicks).TotalMilliseconds;
        }

        ulong ntp = NtpTime(Transport.Time.GetUtcNow());
        Span<byte> rtcp = stackalloc byte[64];
        int length = 0;
        if (_negotiation.Video is not null)
        {
            length += RtcpWriter.SenderReport(rtcp, _negotiation.VideoSsrc, ntp, _videoBase + (uint)(elapsedMs * 90), _videoPackets, _videoOctets);
        }

        if (_negotiation.Audio is not null)
        {
            length += RtcpWriter.SenderReport(rtcp[length..], _negotiation.AudioSsrc, ntp, _audioBase + (uint)(elapsedMs * 48), _audioPackets, _audioOctets);
        }

        SendRtcp(rtcp[..length]);
    }

    private static ulong NtpTime(DateTimeOffset time)
    {
        const long NtpEpochOffsetSeconds = 2208988800; // 1900-01-01 to 1970-01-01
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        ulong seconds = (ulong)((ticks / TimeSpan.TicksPerSecond) + NtpEpochOffsetSeconds);
        ulong fraction = (ulong)((ticks % TimeSpan.TicksPerSecond) * (1L << 32) / TimeSpan.TicksPerSecond);
        return (seconds << 32) | fraction;
    }
}
