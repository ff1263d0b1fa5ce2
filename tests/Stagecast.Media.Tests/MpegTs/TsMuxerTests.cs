using System.Buffers;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Aac;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.H265;
using Stagecast.Media.MpegTs;
using Stagecast.Testing;

namespace Stagecast.Media.Tests.MpegTs;

public class TsMuxerTests
{
    /// <summary>ffmpeg's PAT and PMT packets for H.264 and AAC: ours are the same bytes.</summary>
    [Fact]
    public void TablesAreFfmpegsBytes()
    {
        byte[] ffmpeg = TransportStreams.H264Aac;
        var muxer = new TsMuxer();
        muxer.SetStreams(TsStreamType.H264, hasAudio: true);
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteVideo(output, 126000, 126000, keyframe: true, new ReadOnlySequence<byte>([0, 0, 0, 1, 0x09, 0xF0]));
        Assert.Equal(Hex.Of(PacketOn(ffmpeg, TsPacket.PatPid)), Hex.Of(output.WrittenSpan[..188]));
        Assert.Equal(Hex.Of(PacketOn(ffmpeg, TsMuxer.ProgramMapPid)), Hex.Of(output.WrittenSpan[188..376]));
    }

    [Theory]
    [InlineData(VideoCodec.H264)]
    [InlineData(VideoCodec.H265)]
    public async Task RemuxedStreamsPlayWithTheirTimestamps(VideoCodec codec)
    {
        byte[] source = codec == VideoCodec.H264 ? TransportStreams.H264Aac : TransportStreams.H265Opus;
        byte[] remuxed = Remux(source, codec);

        var expected = TransportStreams.Packets(source);
        var actual = TransportStreams.Packets(remuxed);
        var sourceVideo = expected.Where(p => p.StreamIndex == 0).SkipLast(1).Select(p => (p.Pts, p.Dts, p.IsKeyframe)).ToList();
        Assert.Equal(sourceVideo, actual.Where(p => p.StreamIndex == 0).Select(p => (p.Pts, p.Dts, p.IsKeyframe)));
        if (codec == VideoCodec.H264)
        {
            Assert.Equal(expected.Where(p => p.StreamIndex == 1).Select(p => (p.Pts, p.Size)), actual.Where(p => p.StreamIndex == 1).Select(p => (p.Pts, p.Size)));
        }

        string path = Path.Combine(Directory.CreateTempSubdirectory("stagecast-mux-").FullName, "remuxed.ts");
        await File.WriteAllBytesAsync(path, remuxed);
        var (exitCode, _, errors) = await Ffmpeg.DecodeAsync(path, 5);
        Assert.True(exitCode == 0 && errors.Length == 0, errors);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void ContinuityCountersAndStuffingReadBackAndEachPictureComesOutWhole()
    {
        var muxer = new TsMuxer();
        muxer.SetStreams(TsStreamType.H264, hasAudio: false);
        var output = new ArrayBufferWriter<byte>();
        // Sizes around the packet boundaries: one byte of stuffing, none, two packets exactly, and more.
        int[] sizes = [169, 170, 171, 354, 1000, 5];
        long dts = TsMuxer.PcrDelay;
        foreach (int size in sizes)
        {
            muxer.WriteVideo(output, dts, dts, keyframe: false, new ReadOnlySequence<byte>([0, 0, 1, .. Enumerable.Repeat((byte)0x41, size - 3)]));
            dts += 3000;
        }

        // Each PES packet says its length, so the last comes out with its last byte, not when a next one starts.
        using var demuxer = new TsDemuxer();
        demuxer.Push(output.WrittenSpan);
        var lengths = new List<int>();
        while (demuxer.TryRead(out var pes))
        {
            lengths.Add(pes.Length);
            MediaBufferPool.Shared.Return(pes.Buffer);
        }

        Assert.Equal(sizes, lengths);
        Assert.Equal(0, demuxer.DroppedPackets);
    }

    /// <summary>
    /// Demuxes, converts to hub samples and back, and muxes again: what an SRT reader of an SRT publisher gets. Each
    /// access unit goes to the muxer in pieces, as TsEgress sends it: start codes, parameter sets, the sample's NAL
    /// units where they are; each AAC frame as its ADTS header and its payload.
    /// </summary>
    private static byte[] Remux(byte[] source, VideoCodec codec)
    {
        var output = new ArrayBufferWriter<byte>();
        var muxer = new TsMuxer();
        var converter = new AnnexBConverter(codec);
        var pieces = new PieceSequence();
        var adts = new byte[AdtsHeader.MinLength];
        using var demuxer = new TsDemuxer();
        demuxer.Push(source);
        while (demuxer.TryRead(out var pes))
        {
            muxer.SetStreams(codec == VideoCodec.H264 ? TsStreamType.H264 : TsStreamType.H265, hasAudio: codec == VideoCodec.H264);
            if (pes.Stream.Codec == TsCodec.Aac)
            {
                ReadOnlySpan<byte> payload = pes.Payload;
                for (int i = 0; AdtsHeader.TryParse(payload, out var header); i++)
                {
                    // Raw AAC as the hub carries it, then a new ADTS header.
                    var raw = payload.Slice(header.HeaderLength, header.PayloadLength);
                    AdtsHeader.Write(adts, AudioSpecificConfig.Parse(header.AudioSpecificConfig()), raw.Length);
                    pieces.Clear();
                    pieces.Add(adts);
                    pieces.Add(raw.ToArray());
                    muxer.WriteAudio(output, pes.Pts!.Value + (i * 1920), pieces.Sequence);
                    payload = payload[header.FrameLength..];
                }
            }
            else if (pes.Stream.Codec is TsCodec.H264 or TsCodec.H265 && converter.TryConvert(pes.Payload, out byte[]? sample, out int length, out bool keyframe))
            {
                pieces.Clear();
                AnnexBWriter.Write(pieces, codec, sample.AsMemory(0, length), 4, keyframe ? ParameterSets(codec, converter.ConfigurationRecord()!) : null);
                muxer.WriteVideo(output, pes.Pts!.Value, pes.Dts!.Value, keyframe, pieces.Sequence);
                MediaBufferPool.Shared.Return(sample!);
            }

            MediaBufferPool.Shared.Return(pes.Buffer);
        }

        return output.WrittenSpan.ToArray();
    }

    private static List<byte[]> ParameterSets(VideoCodec codec, byte[] record) => codec == VideoCodec.H264
        ? [.. AvcDecoderConfigurationRecord.Parse(record) is var avc ? avc.SequenceParameterSets.Concat(avc.PictureParameterSets) : []]
        : [.. HevcDecoderConfigurationRecord.Parse(record).Arrays.SelectMany(a => a.Units)];

    private static byte[] PacketOn(byte[] ts, int pid)
    {
        for (int at = 0; at < ts.Length; at += 188)
        {
            if (TsPacket.Parse(ts.AsSpan(at, 188)).Pid == pid)
            {
                return ts[at..(at + 188)];
            }
        }

        throw new InvalidOperationException($"no packet on PID {pid}");
    }
}
