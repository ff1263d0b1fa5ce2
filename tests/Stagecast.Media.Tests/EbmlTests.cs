using System.Buffers;
using Stagecast.Media.Webm;

namespace Stagecast.Media.Tests;

/// <summary>EBML's sizes and elements (RFC 8794) as WebM track recordings write them.</summary>
public sealed class EbmlTests
{
    [Theory]
    [InlineData(0L, "80")]
    [InlineData(126L, "FE")]
    [InlineData(127L, "407F")] // all ones in one byte would read as "unknown"
    [InlineData(16382L, "7FFE")]
    [InlineData(16383L, "203FFF")]
    [InlineData(Ebml.MaxSize, "01FFFFFFFFFFFFFE")]
    public void ASizeTakesTheFewestBytesThatDoNotReadAsUnknown(long size, string hex)
    {
        var output = new ArrayBufferWriter<byte>();
        Ebml.WriteSize(output, size);
        Assert.Equal(hex, Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void ASizeSlotIsEightBytesAndSizesPastTheLimitAreRefused()
    {
        var slot = new byte[Ebml.SizeSlot];
        Ebml.WriteSizeSlot(slot, 300);
        Assert.Equal("010000000000012C", Convert.ToHexString(slot));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ebml.WriteSize(new ArrayBufferWriter<byte>(), Ebml.MaxSize + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ebml.WriteSizeSlot(slot, -1));
    }

    [Fact]
    public void ElementsAreTheirIdTheirSizeAndTheirData()
    {
        var output = new ArrayBufferWriter<byte>();
        Ebml.WriteUInt(output, 0x2AD7B1, 1_000_000); // TimestampScale: three bytes of ID, a three-byte number
        Ebml.WriteUInt(output, 0xD7, 0); // TrackNumber 0: one byte, zero
        Ebml.WriteFloat(output, 0x4489, 1.5);
        Ebml.WriteString(output, 0x86, "V_VP8");
        Ebml.WriteMaster(output, 0xE0, video => Ebml.WriteUInt(video, 0xB0, 320));
        Assert.Equal("2AD7B1830F4240" + "D78100" + "4489883FF8000000000000" + "8685565F565038" + "E084B0820140", Convert.ToHexString(output.WrittenSpan));
    }
}
