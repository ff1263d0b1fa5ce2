using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Stagecast.Media;
using Stagecast.Media.Amf0;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Aac;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.H265;
using Stagecast.Media.Codecs.Vp8;
using Stagecast.Media.Flv;
using Stagecast.Media.MpegTs;
using Stagecast.Media.Rtp;
using Stagecast.Rtmp;
using Stagecast.Rtmp.Chunking;
using Stagecast.Rtmp.Handshake;
using Stagecast.Testing;
using Stagecast.WebRtc;
using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Ice;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.Fuzz;

/// <summary>Every parser that reads bytes from the network, with seeds from the golden vectors and real encoder output.</summary>
public static class FuzzTargets
{
    private static readonly Type[] Media = [typeof(MediaFormatException)];

    // The depacketizers keep state across packets, as they do for a real publisher.
    private static readonly H264RtpDepacketizer H264 = new();
    private static readonly Vp8RtpDepacketizer Vp8 = new();

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("rtmp-handshake", [HandshakeSeed()], input =>
        {
            var buffer = new ReadOnlySequence<byte>(input);
            new ServerHandshake().TryAdvance(ref buffer, new ArrayBufferWriter<byte>());
        }, typeof(RtmpProtocolException)),

        new("rtmp-chunks", ChunkSeeds(), input =>
        {
            using var reader = new ChunkReader();
            var buffer = new ReadOnlySequence<byte>(input);
            while (reader.TryReadMessage(ref buffer, out var message))
            {
                if (message.Type == RtmpMessageType.SetChunkSize && message.Length >= 4)
                {
                    reader.SetChunkSize(BinaryPrimitives.ReadUInt32BigEndian(message.Payload) & 0x7FFFFFFF);
                }

                message.Return();
            }
        }, typeof(RtmpProtocolException)),

        new("amf0", [ConnectCommand()], input =>
        {
            var reader = new Amf0Reader(input);
            while (!reader.IsAtEnd)
            {
                reader.ReadValue();
            }
        }, Media),

        new("rtmp-command", [ConnectCommand()], input => Stagecast.Rtmp.Messages.Commands.RtmpCommand.Read(input), [typeof(MediaFormatException), typeof(RtmpProtocolException)]),

        new("flv-video", VideoTagSeeds(), input =>
        {
            var packet = FlvVideoTag.Parse(input);
            if (packet.Kind == FlvPacketKind.SequenceStart)
            {
                VideoTrackConfig.Parse(packet.Codec, input.AsSpan(packet.DataOffset));
            }
        }, Media),

        new("flv-audio", [[0xAF, 0x00, .. GoldenVectors.AacLc48kStereo], [0xAF, 0x01, 0x21, 0x10, 0x04]], input =>
        {
            var packet = FlvAudioTag.Parse(input);
            if (packet.Kind == FlvPacketKind.SequenceStart && packet.Codec == AudioCodec.Aac)
            {
                AudioTrackConfig.ParseAac(input.AsSpan(packet.DataOffset));
            }
        }, Media),

        new("avc-config", [GoldenVectors.AvcRecord720p, AvcDecoderConfigurationRecord.Build(GoldenVectors.H264Sps1080p, GoldenVectors.H264Pps1080p)],
            input => VideoTrackConfig.Parse(VideoCodec.H264, input), Media),

        new("h264-sps", [GoldenVectors.H264Sps720p, GoldenVectors.H264Sps1080p], input => H264SequenceParameterSet.Parse(input), Media),

        new("hevc-config", [HevcRecord()], input => VideoTrackConfig.Parse(VideoCodec.H265, input), Media),

        new("h265-sps", [GoldenVectors.H265Sps], input => H265SequenceParameterSet.Parse(input), Media),

        new("av1-config", [Av1Record()], input => VideoTrackConfig.Parse(VideoCodec.Av1, input), Media),

        new("aac-config", [GoldenVectors.AacLc48kStereo, GoldenVectors.AacLc44kStereo], input => AudioSpecificConfig.Parse(input), Media),

        new("stun", StunSeeds(), input =>
        {
            if (StunMessage.TryParse(input, out var message))
            {
                message.TryGetAttribute(StunAttribute.Username, out _);
                message.VerifyIntegrity("0123456789abcdef0123456789abcdef"u8);
                message.VerifyFingerprint();
            }
        }),

        new("dtls-record", [DtlsClientHelloSeed()], input =>
        {
            if (DtlsSession.IsRecord(input))
            {
                _ = input[0];
            }
        }),

        new("rtp", RtpSeeds(), input =>
        {
            if (RtpHeader.IsRtcp(input) || !RtpHeader.TryGetLength(input, out int header))
            {
                return;
            }

            int padding = RtpHeader.PaddingLength(input);
            if (header + padding > input.Length)
            {
                return;
            }

            var payload = input.AsSpan(header, input.Length - header - padding);
            uint timestamp = RtpHeader.Timestamp(input);
            bool marker = RtpHeader.Marker(input);
            if (H264.Push(payload, timestamp, marker) is { } unit)
            {
                ArrayPool<byte>.Shared.Return(unit.Buffer);
            }

            if (Vp8.Push(payload, timestamp, marker) is { } frame)
            {
                ArrayPool<byte>.Shared.Return(frame.Buffer);
            }
        }, Media),

        new("rtcp", RtcpSeeds(), input =>
        {
            var reader = new RtcpReader(input);
            Span<ushort> lost = stackalloc ushort[64];
            while (reader.TryRead(out var packet))
            {
                _ = packet.SenderSsrc + packet.MediaSsrc;
                if (packet.IsNack)
                {
                    packet.NackedSequences(lost);
                }
            }
        }),

        new("mpegts", TransportStreamSeeds(), Demux, Media),

        new("srt-streamid", [.. new[] { "#!::r=live/KEY,m=publish", "#!::u=me,r=live/ID,m=request", "KEY" }.Select(Encoding.UTF8.GetBytes)],
            input => Stagecast.Srt.SrtStreamId.TryParse(Encoding.UTF8.GetString(input), "live", out _, out _)),

        new("sdp", [Encoding.UTF8.GetBytes(SdpSeed)], input => SdpSessionDescription.Parse(Encoding.UTF8.GetString(input)), typeof(SdpException)),
    ];

    private const string SdpSeed =
        "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\na=msid-semantic: WMS\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:F0zU\r\na=ice-pwd:nVSfm4aIuKrsQcG7l7WW3RYz\r\n" +
        "a=fingerprint:sha-256 4C:28:AB:0B:69:0B:69:2C:12:5D:9B:7A:2C:26:8C:6E:8D:1D:0D:17:13:0E:97:4B:2E:D9:36:06:3E:7F:19:51\r\n" +
        "a=setup:actpass\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=ssrc:1001 cname:abc\r\n" +
        "m=video 9 UDP/TLS/RTP/SAVPF 96 108\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\n" +
        "a=rtpmap:108 H264/90000\r\na=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\na=ssrc:2002 cname:abc\r\n" +
        "a=candidate:1 1 udp 2122260223 192.168.1.2 51234 typ host generation 0\r\n";

    /// <summary>The first 60 packets of real streams in each codec pair an SRT publisher sends.</summary>
    private static List<byte[]> TransportStreamSeeds() =>
        [.. new[] { TransportStreams.H264Aac, TransportStreams.H265Opus, TransportStreams.H264BFrames }.Select(ts => ts[..(60 * TsPacket.Size)])];

    /// <summary>What an SRT publisher's bytes go through: the demuxer, then each codec's access unit reader.</summary>
    private static void Demux(byte[] input)
    {
        using var demuxer = new TsDemuxer();
        var video = new Dictionary<TsCodec, AnnexBConverter> { [TsCodec.H264] = new(VideoCodec.H264), [TsCodec.H265] = new(VideoCodec.H265) };
        demuxer.Push(input);
        while (demuxer.TryRead(out var pes))
        {
            try
            {
                ReadOnlySpan<byte> payload = pes.Payload;
                switch (pes.Stream.Codec)
                {
                    case TsCodec.Aac:
                        while (AdtsHeader.TryParse(payload, out var header) && header.FrameLength <= payload.Length)
                        {
                            AudioTrackConfig.ParseAac(header.AudioSpecificConfig());
                            payload = payload[header.FrameLength..];
                        }

                        break;
                    case TsCodec.Opus:
                        while (OpusAccessUnits.TryRead(ref payload, out var packet))
                        {
                            Stagecast.Media.Codecs.Opus.OpusPacket.SampleCount(packet);
                        }

                        break;
                    case TsCodec.H264 or TsCodec.H265:
                        var converter = video[pes.Stream.Codec];
                        if (converter.TryConvert(payload, out byte[]? buffer, out _, out _))
                        {
                            MediaBufferPool.Shared.Return(buffer!);
                        }

                        if (converter.ParameterSetsChanged && converter.ConfigurationRecord() is { } record)
                        {
                            converter.ParameterSetsChanged = false;
                            VideoTrackConfig.Parse(converter.Codec, record);
                        }

                        break;
                }
            }
            finally
            {
                MediaBufferPool.Shared.Return(pes.Buffer);
            }
        }
    }

    private static byte[] HandshakeSeed()
    {
        var c0c1 = new byte[1537 + 1536];
        c0c1[0] = 3;
        new Random(7).NextBytes(c0c1.AsSpan(9));
        return c0c1;
    }

    private static byte[] ConnectCommand()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new Amf0Writer(output);
        writer.WriteString("connect");
        writer.WriteNumber(1);
        var command = new AmfObject { ["app"] = "live", ["type"] = "nonprivate", ["flashVer"] = "FMLE/3.0", ["tcUrl"] = "rtmp://localhost/live" };
        writer.WriteObject(command);
        writer.WriteNull();
        return output.WrittenSpan.ToArray();
    }

    private static List<byte[]> ChunkSeeds()
    {
        var output = new ArrayBufferWriter<byte>();
        var chunks = new ChunkWriter();
        chunks.Write(output, 3, 0, RtmpMessageType.CommandAmf0, 0, ConnectCommand());
        chunks.Write(output, 2, 0, RtmpMessageType.SetChunkSize, 0, [0, 0, 0x10, 0]);
        chunks.ChunkSize = 4096;
        chunks.Write(output, 6, 40, RtmpMessageType.Video, 1, [0x17, 0, 0, 0, 0, .. GoldenVectors.AvcRecord720p]);
        chunks.Write(output, 6, 73, RtmpMessageType.Video, 1, new byte[5000]);
        chunks.Write(output, 4, 80, RtmpMessageType.Audio, 1, [0xAF, 0x01, 0x21, 0x10]);
        return [output.WrittenSpan.ToArray()];
    }

    private static List<byte[]> VideoTagSeeds() =>
    [
        [0x17, 0x00, 0, 0, 0, .. GoldenVectors.AvcRecord720p],
        [0x27, 0x01, 0, 0, 0x21, 0, 0, 0, 4, 0x41, 0x9A, 0x00, 0x10],
        [0x90, .. "hvc1"u8, .. HevcRecord()],
        [0x90, .. "av01"u8, .. Av1Record()],
    ];

    private static byte[] HevcRecord() => HevcDecoderConfigurationRecord.Build(GoldenVectors.H265Vps, GoldenVectors.H265Sps, GoldenVectors.H265Pps);

    /// <summary>av1C: marker and version, profile and level, flags, no initial presentation delay, then the sequence header OBU.</summary>
    private static byte[] Av1Record() => [0x81, 0x00, 0x0C, 0x00, .. GoldenVectors.Av1Obus.AsSpan(2)];

    private static List<byte[]> StunSeeds()
    {
        var request = new List<byte>();
        request.AddRange([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, .. new byte[12]]);
        void Attribute(ushort type, byte[] value)
        {
            request.AddRange([(byte)(type >> 8), (byte)type, (byte)(value.Length >> 8), (byte)value.Length, .. value]);
            request.AddRange(new byte[(4 - (value.Length % 4)) % 4]);
        }

        Attribute(0x0006, "F0zU:abcd"u8.ToArray());
        Attribute(0x0024, [0x6E, 0x00, 0x1E, 0xFF]);
        Attribute(0x0025, []);
        Attribute(0x0008, new byte[20]);
        Attribute(0x8028, new byte[4]);
        byte[] bytes = [.. request];
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)(bytes.Length - 20));

        var success = new byte[StunWriter.MaxResponseLength];
        int length = StunWriter.WriteBindingSuccess(success, bytes.AsSpan(8, 12), new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 50000), "0123456789abcdef0123456789abcdef"u8);
        return [bytes, success[..length]];
    }

    private static byte[] DtlsClientHelloSeed() =>
        [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static List<byte[]> RtpSeeds()
    {
        byte[] Packet(byte payloadType, bool marker, ushort sequence, byte[] payload)
        {
            var packet = new byte[12 + payload.Length];
            RtpHeader.Write(packet, marker, payloadType, sequence, 90000, 0x1234);
            payload.CopyTo(packet, 12);
            return packet;
        }

        return
        [
            Packet(102, false, 1, GoldenVectors.H264Sps720p),
            Packet(102, false, 2, [0x78, 0, (byte)GoldenVectors.H264Sps720p.Length, .. GoldenVectors.H264Sps720p, 0, 4, .. GoldenVectors.H264Pps720p]),
            Packet(102, false, 3, [0x7C, 0x85, 0x88, 0x84, 0x00, 0x33]),
            Packet(102, true, 4, [0x7C, 0x45, 0x11, 0x22]),
            Packet(96, true, 5, [0x90, 0x80, 0x01, 0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x40, 0x01, 0xB4, 0x00]),
        ];
    }

    private static List<byte[]> RtcpSeeds()
    {
        var buffer = new byte[256];
        var seeds = new List<byte[]>();
        seeds.Add(buffer[..RtcpWriter.SenderReport(buffer, 1, 0x0102030405060708, 9000, 10, 1000)]);
        seeds.Add(buffer[..RtcpWriter.Pli(buffer, 1, 2)]);
        seeds.Add(buffer[..RtcpWriter.Nack(buffer, 1, 2, [10, 11, 15, 40])]);
        seeds.Add(buffer[..RtcpWriter.Remb(buffer, 1, 2_000_000, [2, 3])]);
        return seeds;
    }
}
