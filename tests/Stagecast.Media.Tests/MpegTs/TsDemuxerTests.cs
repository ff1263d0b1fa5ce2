using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Aac;
using Stagecast.Media.MpegTs;
using Stagecast.Testing;

namespace Stagecast.Media.Tests.MpegTs;

public class TsDemuxerTests
{
    [Fact]
    public void ReadsEveryFrameOfRealH264AndAac()
    {
        byte[] ts = TransportStreams.H264Aac;
        var probed = TransportStreams.Packets(ts);
        var (video, audio, streams) = Demux(ts, chunk: ts.Length);

        Assert.Equal(TsCodec.H264, streams.Video!.Codec);
        Assert.Equal(TsCodec.Aac, streams.Audio!.Codec);
        // The last video PES has no length and ends only when the next one starts, which never comes.
        Assert.Equal(probed.Where(p => p.StreamIndex == 0).SkipLast(1).Select(p => (p.Pts, p.Dts, p.IsKeyframe)), video.Select(v => (v.Pts, v.Dts, v.RandomAccess)));
        var aacFrames = audio.SelectMany(AdtsFrames).ToList();
        Assert.Equal(probed.Where(p => p.StreamIndex == 1).Select(p => (p.Pts, p.Size)), aacFrames);
    }

    [Fact]
    public void ReadsEveryFrameOfRealH265AndOpus()
    {
        byte[] ts = TransportStreams.H265Opus;
        var probed = TransportStreams.Packets(ts);
        var (video, audio, streams) = Demux(ts, chunk: 1316);

        Assert.Equal((TsCodec.H265, TsCodec.Opus, 1), (streams.Video!.Codec, streams.Audio!.Codec, streams.Audio.OpusChannels));
        Assert.Equal(probed.Where(p => p.StreamIndex == 0).SkipLast(1).Select(p => (p.Pts, p.IsKeyframe)), video.Select(v => (v.Pts, v.RandomAccess)));
        var opus = new List<int>();
        foreach (var pes in audio)
        {
            ReadOnlySpan<byte> payload = pes.Payload;
            while (OpusAccessUnits.TryRead(ref payload, out var packet))
            {
                opus.Add(packet.Length);
            }
        }

        Assert.Equal(probed.Where(p => p.StreamIndex == 1).Select(p => p.Size), opus);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1316)]
    public void ReadsEveryVideoStreamItIsAskedFor(int chunk)
    {
        byte[] ts = TransportStreams.TwoH264Aac;
        var probed = TransportStreams.Packets(ts);
        using var demuxer = new TsDemuxer(videoStreams: 2);
        var all = new List<TsPesPacket>();
        for (int at = 0; at < ts.Length; at += chunk)
        {
            demuxer.Push(ts.AsSpan(at, Math.Min(chunk, ts.Length - at)));
            all.AddRange(Drain(demuxer));
        }

        Assert.Equal([0x100, 0x101], demuxer.VideoStreams.Select(s => s.Pid));
        Assert.Equal((0x100, 0x102), (demuxer.Video!.Pid, demuxer.Audio!.Pid));
        for (int index = 0; index < 2; index++)
        {
            var stream = demuxer.VideoStreams[index];
            Assert.Equal(
                probed.Where(p => p.StreamIndex == index).SkipLast(1).Select(p => (p.Pts, p.IsKeyframe)),
                all.Where(p => p.Stream == stream).Select(ToRecord).Select(v => (v.Pts, v.RandomAccess)));
        }

        Assert.Equal(probed.Count(p => p.StreamIndex == 2), all.Where(p => p.Stream == demuxer.Audio).Select(ToRecord).Sum(p => AdtsFrames(p).Count()));
        Assert.Equal(0, demuxer.DroppedPackets);
    }

    [Fact]
    public void ReadsOnlyTheFirstVideoStreamByDefault()
    {
        byte[] ts = TransportStreams.TwoH264Aac;
        var (video, audio, streams) = Demux(ts, chunk: ts.Length);

        Assert.Equal((0x100, 0x102), (streams.Video!.Pid, streams.Audio!.Pid));
        Assert.Equal(TransportStreams.Packets(ts).Where(p => p.StreamIndex == 0).SkipLast(1).Select(p => p.Pts), video.Select(v => v.Pts));
        Assert.NotEmpty(audio);
    }

    [Fact]
    public void BFramesKeepTheirDecodeTimestamps()
    {
        byte[] ts = TransportStreams.H264BFrames;
        var probed = TransportStreams.Packets(ts);
        var (video, _, _) = Demux(ts, chunk: ts.Length);

        Assert.Equal(probed.SkipLast(1).Select(p => (p.Pts, p.Dts)), video.Select(v => (v.Pts, v.Dts)));
        Assert.Contains(video, v => v.Pts != v.Dts);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(188)]
    [InlineData(1316)]
    public void ChunkingChangesNothing(int chunk)
    {
        byte[] ts = TransportStreams.H264Aac;
        var whole = Demux(ts, chunk: ts.Length);
        var chunked = Demux(ts, chunk);
        Assert.Equal(whole.Video.Select(Describe), chunked.Video.Select(Describe));
        Assert.Equal(whole.Audio.Select(Describe), chunked.Audio.Select(Describe));
    }

    [Fact]
    public void EveryPrefixIsIncompleteNeverMalformed()
    {
        byte[] ts = TransportStreams.H264Aac[..(188 * 40)];
        for (int length = 0; length <= ts.Length; length += 61)
        {
            using var demuxer = new TsDemuxer();
            demuxer.Push(ts.AsSpan(0, length));
            Drain(demuxer).ForEach(p => MediaBufferPool.Shared.Return(p.Buffer));
        }
    }

    [Fact]
    public void AMissingPacketDropsOnlyTheFrameItBelongedTo()
    {
        byte[] ts = TransportStreams.H264Aac;
        var (video, _, _) = Demux(ts, chunk: ts.Length);

        // The second packet of the first video PES (PID 0x100): its frame is lost, the others come through.
        int first = IndexOfPacket(ts, pid: 0x100, unitStart: true, after: 0);
        int second = IndexOfPacket(ts, pid: 0x100, unitStart: false, after: first + 1);
        byte[] damaged = [.. ts.AsSpan(0, second * 188), .. ts.AsSpan((second + 1) * 188)];
        using var demuxer = new TsDemuxer();
        demuxer.Push(damaged);
        var survivors = Drain(demuxer).Where(p => p.Stream.Codec == TsCodec.H264).Select(ToRecord).ToList();

        Assert.Equal(1, demuxer.DroppedPackets);
        Assert.Equal(video.Skip(1).Select(v => v.Pts), survivors.Select(v => v.Pts));
    }

    [Fact]
    public void ARepeatedPacketIsIgnored()
    {
        byte[] ts = TransportStreams.H264Aac;
        var (video, _, _) = Demux(ts, chunk: ts.Length);
        int second = IndexOfPacket(ts, pid: 0x100, unitStart: false, after: 0);
        byte[] repeated = [.. ts.AsSpan(0, (second + 1) * 188), .. ts.AsSpan(second * 188)];
        var (again, _, _) = Demux(repeated, chunk: repeated.Length);
        Assert.Equal(video.Select(Describe), again.Select(Describe));
    }

    [Fact]
    public void LostSyncIsMalformed()
    {
        byte[] ts = TransportStreams.H264Aac[..(188 * 3)];
        ts[188] = 0x48;
        using var demuxer = new TsDemuxer();
        Assert.Throws<MediaFormatException>(() => demuxer.Push(ts));
    }

    [Fact]
    public void AnOversizedPesPacketIsRefusedBeforeItIsBuffered()
    {
        byte[] ts = TransportStreams.H264Aac;
        int video = IndexOfPacket(ts, pid: 0x100, unitStart: false, after: 0);
        byte[] packet = ts.AsSpan(video * 188, 188).ToArray();
        using var demuxer = new TsDemuxer();
        demuxer.Push(ts.AsSpan(0, (video + 1) * 188));
        var error = Assert.Throws<MediaFormatException>(() =>
        {
            for (int i = 0; i < MediaLimits.MaxPesPacketSize / 100; i++)
            {
                packet[3] = (byte)((packet[3] & 0xF0) | ((ts[(video * 188) + 3] + i + 1) & 0x0F));
                demuxer.Push(packet);
            }
        });
        Assert.Contains("exceeds", error.Message);
    }

    [Fact]
    public void TimestampsContinueAcrossThe33BitWrap()
    {
        var clock = new TsTimestampUnwrapper();
        long near = TsTimestamp.Modulo - 3000;
        Assert.Equal(
            [near, near + 1500, TsTimestamp.Modulo + 1000, TsTimestamp.Modulo - 500, TsTimestamp.Modulo + 4000],
            new[] { near, near + 1500, 1000, TsTimestamp.Modulo - 500, 4000 }.Select(clock.Unwrap));
    }

    [Fact]
    public void ConvertsRealAccessUnitsWithTheirConfiguration()
    {
        foreach (var (ts, codec) in new[] { (TransportStreams.H264Aac, VideoCodec.H264), (TransportStreams.H265Opus, VideoCodec.H265) })
        {
            var (video, _, _) = Demux(ts, chunk: ts.Length);
            var converter = new AnnexBConverter(codec);
            var keyframes = new List<bool>();
            foreach (var pes in video)
            {
                Assert.True(converter.TryConvert(pes.Payload, out byte[]? buffer, out int length, out bool keyframe));
                keyframes.Add(keyframe);
                Assert.All(LengthPrefixed(buffer.AsSpan(0, length)), nal => Assert.DoesNotContain(NalType(codec, nal), (int[])[7, 8, 9, 32, 33, 34, 35]));
                MediaBufferPool.Shared.Return(buffer!);
            }

            var config = VideoTrackConfig.Parse(codec, converter.ConfigurationRecord());
            Assert.Equal((320, 180), (config.Width, config.Height));
            Assert.Equal(video.Select(v => v.RandomAccess), keyframes);
        }
    }

    private static string Describe(DemuxedPes pes) => $"{pes.Pts} {pes.Dts} {pes.RandomAccess} {Hex.Of(pes.Payload)}";

    private static int NalType(VideoCodec codec, byte[] nal) => codec == VideoCodec.H264 ? nal[0] & 0x1F : (nal[0] >> 1) & 0x3F;

    private static List<byte[]> LengthPrefixed(ReadOnlySpan<byte> sample)
    {
        var nals = new List<byte[]>();
        while (!sample.IsEmpty)
        {
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(sample);
            nals.Add(sample.Slice(4, length).ToArray());
            sample = sample[(4 + length)..];
        }

        return nals;
    }

    private static IEnumerable<(long Pts, int Size)> AdtsFrames(DemuxedPes pes)
    {
        var frames = new List<(long, int)>();
        ReadOnlySpan<byte> payload = pes.Payload;
        while (AdtsHeader.TryParse(payload, out var header))
        {
            frames.Add((pes.Pts + (frames.Count * 1024L * 90000 / header.SampleRate), header.FrameLength));
            payload = payload[header.FrameLength..];
        }

        return frames;
    }

    private static int IndexOfPacket(byte[] ts, int pid, bool unitStart, int after)
    {
        for (int i = after; i * 188 < ts.Length; i++)
        {
            var packet = TsPacket.Parse(ts.AsSpan(i * 188, 188));
            if (packet.Pid == pid && packet.PayloadUnitStart == unitStart)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"no packet on PID {pid}");
    }

    private sealed record DemuxedPes(long Pts, long Dts, bool RandomAccess, byte[] Payload);

    private sealed record DemuxedStreams(TsElementaryStream? Video, TsElementaryStream? Audio);

    private static (List<DemuxedPes> Video, List<DemuxedPes> Audio, DemuxedStreams Streams) Demux(byte[] ts, int chunk)
    {
        using var demuxer = new TsDemuxer();
        var all = new List<TsPesPacket>();
        for (int at = 0; at < ts.Length; at += chunk)
        {
            demuxer.Push(ts.AsSpan(at, Math.Min(chunk, ts.Length - at)));
            all.AddRange(Drain(demuxer));
        }

        var video = all.Where(p => p.Stream == demuxer.Video).Select(ToRecord).ToList();
        var audio = all.Where(p => p.Stream == demuxer.Audio).Select(ToRecord).ToList();
        Assert.Equal(0, demuxer.DroppedPackets);
        return (video, audio, new DemuxedStreams(demuxer.Video, demuxer.Audio));
    }

    private static DemuxedPes ToRecord(TsPesPacket packet)
    {
        var record = new DemuxedPes(packet.Pts!.Value, packet.Dts!.Value, packet.RandomAccess, packet.Payload.ToArray());
        MediaBufferPool.Shared.Return(packet.Buffer);
        return record;
    }

    private static List<TsPesPacket> Drain(TsDemuxer demuxer)
    {
        var packets = new List<TsPesPacket>();
        while (demuxer.TryRead(out var packet))
        {
            packets.Add(packet);
        }

        return packets;
    }
}
