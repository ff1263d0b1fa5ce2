using System.Buffers;
using Stagecast.Media;
using Stagecast.Media.Flv;
using Stagecast.Testing;

namespace Stagecast.Media.Tests;

public class FlvFileTests
{
    /// <summary>An FLV header (audio + video) and two tags, as ffmpeg writes them.</summary>
    private const string Golden =
        "464c5601050000000900000000" +
        "0900000500000000000000" + "1700000000" + "00000010" +
        "08000002" + "000021" + "00" + "000000" + "af01" + "0000000d";

    [Fact]
    public void WriterProducesGoldenBytes()
    {
        var output = new ArrayBufferWriter<byte>();
        FlvFileWriter.WriteHeader(output, hasAudio: true, hasVideo: true);
        FlvFileWriter.WriteTag(output, FlvTagType.Video, 0, Hex.Parse("1700000000"));
        FlvFileWriter.WriteTag(output, FlvTagType.Audio, 33, Hex.Parse("af01"));
        Assert.Equal(Golden, Hex.Of(output.WrittenSpan));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void ReadsWholeOrFragmented(int segmentSize)
    {
        byte[] bytes = Hex.Parse(Golden);
        var buffer = segmentSize == 0 ? new ReadOnlySequence<byte>(bytes) : Bytes.Fragmented(bytes, segmentSize);
        Assert.True(FlvFileReader.TryReadHeader(ref buffer));
        Assert.True(FlvFileReader.TryReadTag(ref buffer, out var video));
        Assert.True(FlvFileReader.TryReadTag(ref buffer, out var audio));
        Assert.False(FlvFileReader.TryReadTag(ref buffer, out _));
        Assert.Equal((FlvTagType.Video, 0u, "1700000000"), (video.Type, video.Timestamp, Hex.Of(video.Data.ToArray())));
        Assert.Equal((FlvTagType.Audio, 33u, "af01"), (audio.Type, audio.Timestamp, Hex.Of(audio.Data.ToArray())));
    }

    [Fact]
    public void EveryPrefixIsIncompleteNeverMalformed()
    {
        byte[] bytes = Hex.Parse(Golden);
        int tags = 0;
        for (int length = 0; length <= bytes.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, length);
            if (!FlvFileReader.TryReadHeader(ref buffer))
            {
                Assert.True(length < 13);
                continue;
            }

            int read = 0;
            while (FlvFileReader.TryReadTag(ref buffer, out _))
            {
                read++;
            }

            tags = read;
        }

        Assert.Equal(2, tags);
    }

    [Fact]
    public void ExtendedTimestampByteIsTheHighByte()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Parse("09000001" + "123456" + "78" + "000000" + "aa" + "0000000c"));
        Assert.True(FlvFileReader.TryReadTag(ref buffer, out var tag));
        Assert.Equal(0x78123456u, tag.Timestamp);
    }

    [Fact]
    public void OversizedTagIsRefusedBeforeBuffering()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Parse("09ffffff00000000000000"));
        Assert.Throws<MediaFormatException>(() => FlvFileReader.TryReadTag(ref buffer, out _));
    }

    [Fact]
    public void NotAnFlvFile()
    {
        var buffer = new ReadOnlySequence<byte>("GIF89a_______"u8.ToArray());
        Assert.Throws<MediaFormatException>(() => FlvFileReader.TryReadHeader(ref buffer));
    }
}
