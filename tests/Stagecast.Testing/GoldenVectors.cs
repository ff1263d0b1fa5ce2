using Stagecast.Media.Codecs.H264;

namespace Stagecast.Testing;

/// <summary>Parameter sets taken from real encoder output (ffmpeg 5.1 with x264, x265 and libaom).</summary>
public static class GoldenVectors
{
    /// <summary>x264, High profile, level 3.1, 1280x720, 30 fps; contains emulation prevention bytes.</summary>
    public static readonly byte[] H264Sps720p = Hex.Parse("6764001facd9405005bb0110000003001000000303c0f1831960");

    public static readonly byte[] H264Pps720p = Hex.Parse("68ef8fcb");

    /// <summary>x264, Main profile, level 4.0, 1920x1080 (coded 1088, cropped), 25 fps.</summary>
    public static readonly byte[] H264Sps1080p = Hex.Parse("674d4028eca03c0113f2e022000003000200000300641e30632c");

    public static readonly byte[] H264Pps1080p = Hex.Parse("68ebe3cb20");

    /// <summary>x265, Main profile, level 2.1, 640x360.</summary>
    public static readonly byte[] H265Vps = Hex.Parse("40010c01ffff01600000030090000003000003003f959809");

    public static readonly byte[] H265Sps = Hex.Parse("42010101600000030090000003000003003fa00502016965959a4932bc05a020000003002000000303c1");

    public static readonly byte[] H265Pps = Hex.Parse("4401c172b46240");

    /// <summary>libaom, 320x240: a temporal delimiter OBU followed by the sequence header OBU.</summary>
    public static readonly byte[] Av1Obus = Hex.Parse("12000a0b000000043cffbcdaf9004032");

    /// <summary>AudioSpecificConfig: AAC-LC, 48 kHz, stereo.</summary>
    public static readonly byte[] AacLc48kStereo = [0x11, 0x90];

    /// <summary>AudioSpecificConfig: AAC-LC, 44.1 kHz, stereo.</summary>
    public static readonly byte[] AacLc44kStereo = [0x12, 0x10];

    public static byte[] AvcRecord720p => AvcDecoderConfigurationRecord.Build(H264Sps720p, H264Pps720p);
}
