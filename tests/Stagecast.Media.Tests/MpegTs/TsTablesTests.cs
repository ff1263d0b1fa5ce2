using Stagecast.Media.Codecs.Aac;
using Stagecast.Media.MpegTs;
using Stagecast.Testing;

namespace Stagecast.Media.Tests.MpegTs;

/// <summary>PSI, PES, ADTS and Opus headers against ffmpeg's bytes, read and written.</summary>
public class TsTablesTests
{
    /// <summary>ffmpeg's PAT: transport stream 1, program 1 on PMT PID 0x1000 (section only, after the pointer field).</summary>
    private const string Pat = "00b00d0001c100000001f0002ab104b2";

    /// <summary>ffmpeg's PMT for H.264 on PID 0x100 (the PCR PID) and AAC on 0x101.</summary>
    private const string Pmt = "02b0170001c10000e100f0001be100f0000fe101f0002f44b99b";

    /// <summary>ffmpeg's PMT for H.265 (with its "HEVC" registration) and Opus (registration "Opus", one channel).</summary>
    private const string PmtHevcOpus = "02b0270001c10000e100f00024e100f00605044845564306e101f00a05044f7075737f02800127aaf32f";

    /// <summary>A video PES header as ffmpeg writes it: unbounded, PTS 127920 only.</summary>
    private const string VideoPesHeader = "000001e00000808005210007e761";

    [Fact]
    public void PatReadsAndWritesLikeFfmpeg()
    {
        Assert.Equal(0x1000, ProgramAssociationTable.FirstProgramMapPid(Hex.Parse(Pat)));
        var data = new byte[4];
        ProgramAssociationTable.WriteData(data, 1, 0x1000);
        var section = new byte[64];
        int length = PsiSection.Write(section, PsiSection.PatTableId, 1, data);
        Assert.Equal(Pat, Hex.Of(section.AsSpan(0, length)));
    }

    [Fact]
    public void PmtReadsAndWritesLikeFfmpeg()
    {
        var streams = ProgramMapTable.Parse(Hex.Parse(Pmt), out int pcrPid);
        Assert.Equal(0x100, pcrPid);
        Assert.Equal([new(0x100, TsStreamType.H264, TsCodec.H264), new TsElementaryStream(0x101, TsStreamType.AacAdts, TsCodec.Aac)], streams);

        var data = new byte[64];
        int dataLength = ProgramMapTable.WriteData(data, 0x100, [(TsStreamType.H264, 0x100), (TsStreamType.AacAdts, 0x101)]);
        var section = new byte[64];
        int length = PsiSection.Write(section, PsiSection.PmtTableId, 1, data.AsSpan(0, dataLength));
        Assert.Equal(Pmt, Hex.Of(section.AsSpan(0, length)));
    }

    [Fact]
    public void PmtNamesOpusByItsRegistration()
    {
        var streams = ProgramMapTable.Parse(Hex.Parse(PmtHevcOpus), out _);
        Assert.Equal([new(0x100, TsStreamType.H265, TsCodec.H265), new TsElementaryStream(0x101, TsStreamType.PrivatePes, TsCodec.Opus, 1)], streams);
    }

    [Fact]
    public void PrivateDataWithoutTheOpusRegistrationIsNotOpus()
    {
        var data = new byte[64];
        int dataLength = ProgramMapTable.WriteData(data, 0x100, [(TsStreamType.PrivatePes, 0x102)]);
        var section = new byte[64];
        int length = PsiSection.Write(section, PsiSection.PmtTableId, 1, data.AsSpan(0, dataLength));
        Assert.Equal(TsCodec.Unsupported, ProgramMapTable.Parse(section.AsSpan(0, length), out _).Single().Codec);
    }

    [Fact]
    public void ASectionWithABadCrcIsMalformed()
    {
        byte[] section = Hex.Parse(Pmt);
        section[^1] ^= 1;
        Assert.Throws<MediaFormatException>(() => ProgramMapTable.Parse(section, out _));
    }

    [Fact]
    public void PesHeaderReadsAndWritesLikeFfmpeg()
    {
        var header = PesHeader.Parse(Hex.Parse(VideoPesHeader));
        Assert.Equal(new PesHeader(0xE0, 127920, null, 14), header);
        var written = new byte[PesHeader.FixedLength + 10];
        int length = PesHeader.Write(written, 0xE0, 127920, 127920, payloadLength: -1);
        Assert.Equal(VideoPesHeader, Hex.Of(written.AsSpan(0, length)));
    }

    [Fact]
    public void PesHeaderWithPtsAndDtsRoundTrips()
    {
        var written = new byte[PesHeader.FixedLength + 10];
        long pts = TsTimestamp.Modulo - 1;
        int length = PesHeader.Write(written, 0xE0, pts, 123456, payloadLength: 100);
        var header = PesHeader.Parse(written.AsSpan(0, length));
        Assert.Equal((pts, 123456L, 19), (header.Pts!.Value, header.Dts!.Value, header.PayloadOffset));
        Assert.Equal(length - PesHeader.LengthFieldEnd + 100, PesHeader.PacketLength(written));
    }

    [Theory]
    [InlineData("000001e0000080c00a21")] // PTS and DTS announced, five bytes of header data
    [InlineData("000001e00000808005210007e7")] // header data cut short
    [InlineData("000002e0000080800521")] // no start code
    [InlineData("000001e00000408005210007e761")] // no '10' marker
    public void MalformedPesHeadersAreRefused(string hex) =>
        Assert.Throws<MediaFormatException>(() => PesHeader.Parse(Hex.Parse(hex)));

    [Fact]
    public void AdtsHeaderReadsAndWrites()
    {
        // AAC-LC, 48 kHz, stereo, 0x17 + 7 bytes, as ffmpeg's encoder writes it.
        byte[] adts = Hex.Parse("fff14c8002fffc");
        Assert.True(AdtsHeader.TryParse(adts, out var header));
        Assert.Equal((2, 48000, 2, 7, 23), (header.ObjectType, header.SampleRate, header.ChannelConfiguration, header.HeaderLength, header.FrameLength));
        Assert.Equal(GoldenVectors.AacLc48kStereo, header.AudioSpecificConfig());

        var written = new byte[7];
        AdtsHeader.Write(written, AudioSpecificConfig.Parse(GoldenVectors.AacLc48kStereo), 16);
        Assert.True(AdtsHeader.TryParse(written, out var again));
        Assert.Equal(header with { }, again);
        Assert.False(AdtsHeader.TryParse(adts.AsSpan(0, 6), out _));
    }

    [Theory]
    [InlineData("fff14c800200")] // short: incomplete, not malformed
    public void ShortAdtsIsIncomplete(string hex) => Assert.False(AdtsHeader.TryParse(Hex.Parse(hex), out _));

    [Theory]
    [InlineData("fef14c8002fffc")] // no syncword
    [InlineData("fff14c0002fffc")] // channel configuration 0
    [InlineData("fff14c8000dffc")] // frame_length 6, shorter than its header
    [InlineData("fff14c8002fffd")] // two raw data blocks
    public void MalformedAdtsIsRefused(string hex) =>
        Assert.Throws<MediaFormatException>(() => AdtsHeader.TryParse(Hex.Parse(hex), out _));

    [Fact]
    public void OpusControlHeadersSplitThePayload()
    {
        // Two packets: 3 bytes, then 256 bytes (au_size 0xFF 0x01) with a start trim.
        byte[] second = [.. Enumerable.Repeat((byte)0xAB, 256)];
        byte[] payload = [0x7F, 0xE0, 0x03, 1, 2, 3, 0x7F, 0xF0, 0xFF, 0x01, 0x00, 0x78, .. second];
        ReadOnlySpan<byte> rest = payload;
        Assert.True(OpusAccessUnits.TryRead(ref rest, out var first));
        Assert.Equal("010203", Hex.Of(first));
        Assert.True(OpusAccessUnits.TryRead(ref rest, out var next));
        Assert.Equal(second, next.ToArray());
        Assert.False(OpusAccessUnits.TryRead(ref rest, out _));
    }

    [Theory]
    [InlineData("7fe00501")] // announces five bytes, has one
    [InlineData("7ee00101")] // no prefix
    [InlineData("7fe0ff")] // au_size cut short
    [InlineData("7fe4010a01")] // extension longer than the payload
    public void MalformedOpusControlHeadersAreRefused(string hex) =>
        Assert.Throws<MediaFormatException>(() =>
        {
            ReadOnlySpan<byte> payload = Hex.Parse(hex);
            OpusAccessUnits.TryRead(ref payload, out _);
        });
}
