using Stagecast.Media.Codecs;
using Stagecast.Media.Fmp4;
using Stagecast.Testing;

namespace Stagecast.Media.Tests;

public class Fmp4Tests
{
    [Fact]
    public void EsdsForAacLcIsGolden()
    {
        var box = new BoxBuffer();
        EsdsWriter.Write(box, GoldenVectors.AacLc48kStereo);
        Assert.Equal(
            "00000027" + "65736473" + "00000000" +
            "0319" + "0000" + "00" +
            "0411" + "40" + "15" + "000000" + "00000000" + "00000000" +
            "0502" + "1190" +
            "060102",
            Hex.Of(box.WrittenSpan));
    }

    [Fact]
    public void FragmentHeaderIsGolden()
    {
        var box = new BoxBuffer();
        TrackRun[] runs =
        [
            new(1, 12345, new FragmentSample[] { new(3000, 100, true, 0), new(3000, 50, false, 3000) }, IsVideo: true),
            new(2, 1024, new FragmentSample[] { new(1024, 10, true, 0) }, IsVideo: false),
        ];
        long payload = FragmentWriter.WriteHeader(box, 7, runs);

        Assert.Equal(160, payload);
        Assert.Equal(
            "000000c0" + "6d6f6f66" +
                "00000010" + "6d666864" + "00000000" + "00000007" +
                "00000060" + "74726166" +
                    "00000010" + "74666864" + "00020000" + "00000001" +
                    "00000014" + "74666474" + "01000000" + "0000000000003039" +
                    "00000034" + "7472756e" + "01000f01" + "00000002" + "000000c8" +
                        "00000bb8" + "00000064" + "02000000" + "00000000" +
                        "00000bb8" + "00000032" + "01010000" + "00000bb8" +
                "00000048" + "74726166" +
                    "00000010" + "74666864" + "00020000" + "00000002" +
                    "00000014" + "74666474" + "01000000" + "0000000000000400" +
                    "0000001c" + "7472756e" + "01000301" + "00000001" + "0000015e" +
                        "00000400" + "0000000a" +
            "000000a8" + "6d646174",
            Hex.Of(box.WrittenSpan));
    }

    [Fact]
    public void InitSegmentForVideoAndAudio()
    {
        var video = VideoTrackConfig.Parse(VideoCodec.H264, GoldenVectors.AvcRecord720p);
        var audio = AudioTrackConfig.ParseAac(GoldenVectors.AacLc48kStereo);
        var boxes = Box.Parse(InitSegmentWriter.Write(new TrackLayout(video, audio)));

        Assert.Equal(["ftyp", "moov"], boxes.Select(b => b.Type));
        var moov = Box.Find(boxes, "moov");
        Assert.Equal(["mvhd", "trak", "trak", "mvex"], moov.Children.Select(b => b.Type));

        var videoTrack = moov.Children[1];
        Assert.Equal(1u, videoTrack.Child("tkhd").UInt32At(12));
        Assert.Equal(90000u, videoTrack.Child("mdia/mdhd").UInt32At(12));
        Assert.Equal("vide", System.Text.Encoding.ASCII.GetString(videoTrack.Child("mdia/hdlr").Payload, 8, 4));
        var avc1 = videoTrack.Child("mdia/minf/stbl/stsd/avc1");
        Assert.Equal((1280, 720), ((int)avc1.UInt16At(24), (int)avc1.UInt16At(26)));
        Assert.Equal(GoldenVectors.AvcRecord720p, avc1.Child("avcC").Payload);

        var audioTrack = moov.Children[2];
        Assert.Equal(2u, audioTrack.Child("tkhd").UInt32At(12));
        Assert.Equal(48000u, audioTrack.Child("mdia/mdhd").UInt32At(12));
        var mp4a = audioTrack.Child("mdia/minf/stbl/stsd/mp4a");
        Assert.Equal(2, mp4a.UInt16At(16));
        Assert.Equal(48000u << 16, mp4a.UInt32At(24));
        byte[] esds = mp4a.Child("esds").Payload;
        Assert.Equal("1190", Hex.Of(esds.AsSpan(esds.Length - 5, 2)));

        var trex = Box.Find(boxes, "moov/mvex").Children;
        Assert.Equal([1u, 2u], trex.Select(t => t.UInt32At(4)));
    }

    [Fact]
    public void AudioOnlyInitUsesTrackOne()
    {
        var layout = new TrackLayout(null, AudioTrackConfig.ParseAac(GoldenVectors.AacLc44kStereo));
        var moov = Box.Find(Box.Parse(InitSegmentWriter.Write(layout)), "moov");
        var trak = Assert.Single(moov.Children, b => b.Type == "trak");
        Assert.Equal(1u, trak.Child("tkhd").UInt32At(12));
        Assert.Equal(1u, layout.AudioTrackId);
    }

    [Fact]
    public void HevcInitCarriesHvcC()
    {
        byte[] record = Media.Codecs.H265.HevcDecoderConfigurationRecord.Build(GoldenVectors.H265Vps, GoldenVectors.H265Sps, GoldenVectors.H265Pps);
        var video = VideoTrackConfig.Parse(VideoCodec.H265, record);
        var moov = Box.Find(Box.Parse(InitSegmentWriter.Write(new TrackLayout(video, null))), "moov");
        var hvc1 = moov.Child("trak/mdia/minf/stbl/stsd/hvc1");
        Assert.Equal(record, hvc1.Child("hvcC").Payload);
    }
}
