using Stagecast.Media;
using Stagecast.Media.Bits;
using Stagecast.Testing;

namespace Stagecast.Media.Tests;

public class BitReaderTests
{
    [Fact]
    public void ReadsFieldsAcrossByteBoundaries()
    {
        var reader = new BitReader([0b1010_1100, 0b0101_0011]);
        Assert.Equal(0b101u, reader.ReadBits(3));
        Assert.Equal(0b01100_010u, reader.ReadBits(8));
        Assert.Equal(0b10011u, reader.ReadBits(5));
        Assert.Equal(0, reader.BitsRemaining);
    }

    [Theory]
    [InlineData("80", 0u)] // 1
    [InlineData("40", 1u)] // 010
    [InlineData("60", 2u)] // 011
    [InlineData("20", 3u)] // 00100
    [InlineData("38", 6u)] // 00111
    [InlineData("10", 7u)] // 0001000
    public void ReadsUnsignedExpGolomb(string hex, uint expected)
    {
        var reader = new BitReader(Hex.Parse(hex));
        Assert.Equal(expected, reader.ReadUnsignedExpGolomb());
    }

    [Theory]
    [InlineData("80", 0)]
    [InlineData("40", 1)]
    [InlineData("60", -1)]
    [InlineData("20", 2)]
    [InlineData("28", -2)]
    public void ReadsSignedExpGolomb(string hex, int expected)
    {
        var reader = new BitReader(Hex.Parse(hex));
        Assert.Equal(expected, reader.ReadSignedExpGolomb());
    }

    [Fact]
    public void ReadsLeb128()
    {
        var reader = new BitReader([0xE5, 0x8E, 0x26]);
        Assert.Equal(624485u, reader.ReadLeb128());
    }

    [Fact]
    public void ReadingPastTheEndIsMalformed()
    {
        Assert.Throws<MediaFormatException>(() => new BitReader([0xFF]).ReadBits(9));
        Assert.Throws<MediaFormatException>(() => new BitReader([0x00, 0x00, 0x00, 0x00, 0x00]).ReadUnsignedExpGolomb());
    }

    [Fact]
    public void RemovesEmulationPreventionBytes()
    {
        byte[] nal = Hex.Parse("0000030100000302000003");
        var output = new byte[nal.Length];
        int length = Rbsp.RemoveEmulationPrevention(nal, output);
        Assert.Equal("0000010000020000", Hex.Of(output.AsSpan(0, length)));
    }
}
