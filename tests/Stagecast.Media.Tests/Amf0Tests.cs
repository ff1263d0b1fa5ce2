using System.Buffers;
using Stagecast.Media;
using Stagecast.Media.Amf0;
using Stagecast.Testing;

namespace Stagecast.Media.Tests;

public class Amf0Tests
{
    /// <summary>Golden encodings (AMF0 specification section 2) of one value each.</summary>
    public static TheoryData<string, object?> Values => new()
    {
        { "003ff0000000000000", 1.0 },
        { "00409f400000000000", 2000.0 },
        { "0101", true },
        { "0100", false },
        { "0200046c697665", "live" },
        { "05", null },
        { "0b4278bcfe56800000" + "0000", DateTimeOffset.FromUnixTimeMilliseconds(1700000000000) },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void ReadsAndWritesGoldenValues(string hex, object? expected)
    {
        var reader = new Amf0Reader(Hex.Parse(hex));
        Assert.Equal(expected, reader.ReadValue());
        Assert.True(reader.IsAtEnd);
        Assert.Equal(hex, Write(w => w.WriteValue(expected)));
    }

    [Fact]
    public void ReadsUndefined() => Assert.Same(AmfUndefined.Value, new Amf0Reader([0x06]).ReadValue());

    [Fact]
    public void ObjectsKeepPropertyOrder()
    {
        // { app: "live", tcUrl: "rtmp://h/live" }
        const string hex = "03" + "0003617070" + "0200046c697665" + "0005746355726c" + "02000d72746d703a2f2f682f6c697665" + "000009";
        var value = Assert.IsType<AmfObject>(new Amf0Reader(Hex.Parse(hex)).ReadValue());
        Assert.Equal(["app", "tcUrl"], value.Select(p => p.Key));
        Assert.Equal("rtmp://h/live", value.GetString("tcUrl"));
        Assert.Equal(hex, Write(w => w.WriteObject(value)));
    }

    [Fact]
    public void EcmaArrayRoundTrips()
    {
        var value = new AmfObject(isEcmaArray: true) { { "width", 1280.0 }, { "height", 720.0 } };
        string hex = Write(w => w.WriteObject(value));
        Assert.StartsWith("0800000002", hex);
        var read = Assert.IsType<AmfObject>(new Amf0Reader(Hex.Parse(hex)).ReadValue());
        Assert.True(read.IsEcmaArray);
        Assert.Equal(720.0, read.GetNumber("height"));
    }

    [Fact]
    public void StrictArrayAndLongStringRoundTrip()
    {
        string longText = new('x', 70_000);
        object?[] array = [1.0, "a", null, longText];
        string hex = Write(w => w.WriteValue(array));
        var read = Assert.IsType<object?[]>(new Amf0Reader(Hex.Parse(hex)).ReadValue());
        Assert.Equal(array, read);
    }

    [Fact]
    public void EveryTruncationIsMalformedNotACrash()
    {
        var value = new AmfObject
        {
            { "a", 1.0 }, { "b", "text" }, { "c", new AmfObject { { "d", true } } }, { "e", new object?[] { 2.0, null } },
        };
        byte[] bytes = Hex.Parse(Write(w => w.WriteObject(value)));
        for (int length = 0; length < bytes.Length; length++)
        {
            byte[] prefix = bytes[..length];
            Assert.Throws<MediaFormatException>(() => new Amf0Reader(prefix).ReadValue());
        }
    }

    [Fact]
    public void DeepNestingIsRefused()
    {
        var bytes = new List<byte>();
        for (int i = 0; i < MediaLimits.MaxAmfDepth + 2; i++)
        {
            bytes.AddRange([0x0A, 0, 0, 0, 1]); // strict array of one element
        }

        bytes.Add(0x05);
        Assert.Throws<MediaFormatException>(() => new Amf0Reader(bytes.ToArray()).ReadValue());
    }

    [Fact]
    public void HugeCountsAreRefusedBeforeAllocating()
    {
        Assert.Throws<MediaFormatException>(() => new Amf0Reader(Hex.Parse("0a7fffffff")).ReadValue());
        Assert.Throws<MediaFormatException>(() => new Amf0Reader(Hex.Parse("0c7fffffff41")).ReadValue());
    }

    [Fact]
    public void UnknownMarkerIsMalformed() => Assert.Throws<MediaFormatException>(() => new Amf0Reader([0x11]).ReadValue());

    private static string Write(Action<Amf0Writer> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new Amf0Writer(buffer));
        return Hex.Of(buffer.WrittenSpan);
    }
}
