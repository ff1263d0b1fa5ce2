using System.Buffers;
using Stagecast.Rtmp.Chunking;
using Stagecast.Testing;

namespace Stagecast.Rtmp.Tests;

public class ChunkTests
{
    private static readonly string Payload32 = new('a', 64);

    /// <summary>RTMP spec 5.3.2.1: four audio messages; headers shrink from type 0 to type 2 to type 3.</summary>
    private static readonly string SpecExample1 =
        "03" + "0003e8" + "000020" + "08" + "39300000" + Payload32 +
        "83" + "000014" + Payload32 +
        "c3" + Payload32 +
        "c3" + Payload32;

    [Fact]
    public void WriterProducesTheSpecExample()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        foreach (uint timestamp in new uint[] { 1000, 1020, 1040, 1060 })
        {
            writer.Write(output, 3, timestamp, RtmpMessageType.Audio, 12345, Hex.Parse(Payload32));
        }

        Assert.Equal(SpecExample1, Hex.Of(output.WrittenSpan));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void ReaderParsesTheSpecExampleWholeOrInPieces(int pieceSize)
    {
        var messages = ReadAll(Hex.Parse(SpecExample1), pieceSize);
        Assert.Equal([1000u, 1020u, 1040u, 1060u], messages.Select(m => m.Timestamp));
        Assert.All(messages, m => Assert.Equal((RtmpMessageType.Audio, 12345u, 32), (m.Type, m.StreamId, m.Payload.Length)));
    }

    [Fact]
    public void MessageLargerThanChunkSizeIsSplitAndReassembled()
    {
        // RTMP spec 5.3.2.2: a 307-byte video message in 128-byte chunks.
        byte[] payload = Enumerable.Range(0, 307).Select(i => (byte)i).ToArray();
        var output = new ArrayBufferWriter<byte>();
        new ChunkWriter().Write(output, 4, 1000, RtmpMessageType.Video, 12346, payload);
        string hex = Hex.Of(output.WrittenSpan);
        Assert.StartsWith("04" + "0003e8" + "000133" + "09" + "3a300000", hex);
        Assert.Equal(12 + 128 + 1 + 128 + 1 + 51, output.WrittenCount);
        Assert.Equal("c4", hex.Substring((12 + 128) * 2, 2));

        var message = Assert.Single(ReadAll(output.WrittenSpan.ToArray(), 1));
        Assert.Equal(payload, message.Payload);
    }

    [Fact]
    public void ExtendedTimestampsOnEveryChunk()
    {
        byte[] payload = new byte[200];
        var output = new ArrayBufferWriter<byte>();
        new ChunkWriter().Write(output, 6, 0x01000000, RtmpMessageType.Video, 1, payload);
        string hex = Hex.Of(output.WrittenSpan);
        Assert.StartsWith("06" + "ffffff" + "0000c8" + "09" + "01000000" + "01000000", hex);
        Assert.Equal("c6" + "01000000", hex.Substring((16 + 128) * 2, 10));

        var message = Assert.Single(ReadAll(output.WrittenSpan.ToArray(), 3));
        Assert.Equal(0x01000000u, message.Timestamp);
        Assert.Equal(200, message.Payload.Length);
    }

    [Fact]
    public void ContinuationWithoutRepeatedExtendedTimestampIsAccepted()
    {
        // Some encoders omit the extended timestamp on type 3 continuation chunks.
        byte[] first = Hex.Parse("06" + "ffffff" + "0000c8" + "09" + "01000000" + "01000000");
        byte[] bytes = [.. first, .. new byte[128], 0xC6, .. Enumerable.Repeat((byte)7, 72)];
        var message = Assert.Single(ReadAll(bytes, 0));
        Assert.Equal(0x01000000u, message.Timestamp);
        Assert.All(message.Payload[128..], b => Assert.Equal(7, b));
    }

    [Fact]
    public void TypeThreeAfterTypeZeroRepeatsTheTimestampAsDelta()
    {
        // 5.3.1.2.4: the delta of a type 3 chunk after a type 0 chunk is the type 0 timestamp.
        byte[] bytes = Hex.Parse("03" + "000064" + "000001" + "08" + "01000000" + "aa" + "c3" + "bb");
        Assert.Equal([100u, 200u], ReadAll(bytes, 0).Select(m => m.Timestamp));
    }

    [Theory]
    [InlineData(64, "00" + "00")]
    [InlineData(319, "00" + "ff")]
    [InlineData(320, "01" + "0001")]
    [InlineData(65599, "01" + "ffff")]
    public void ChunkStreamIdForms(int id, string basicHeader)
    {
        var output = new ArrayBufferWriter<byte>();
        new ChunkWriter().Write(output, id, 0, RtmpMessageType.DataAmf0, 1, [1, 2]);
        Assert.StartsWith(basicHeader, Hex.Of(output.WrittenSpan));
        Assert.Equal([1, 2], Assert.Single(ReadAll(output.WrittenSpan.ToArray(), 1)).Payload);
    }

    [Fact]
    public void InterleavedChunkStreams()
    {
        var writer = new ChunkWriter();
        var video = new ArrayBufferWriter<byte>();
        writer.Write(video, 6, 40, RtmpMessageType.Video, 1, new byte[300]);
        var audio = new ArrayBufferWriter<byte>();
        writer.Write(audio, 4, 23, RtmpMessageType.Audio, 1, [9, 9, 9]);

        // Video chunk 1, the whole audio message, then video chunks 2 and 3.
        byte[] v = video.WrittenSpan.ToArray();
        byte[] bytes = [.. v[..(12 + 128)], .. audio.WrittenSpan, .. v[(12 + 128)..]];
        var messages = ReadAll(bytes, 1);
        Assert.Equal([RtmpMessageType.Audio, RtmpMessageType.Video], messages.Select(m => m.Type));
        Assert.Equal(300, messages[1].Payload.Length);
    }

    [Fact]
    public void RandomMessagesRoundTrip()
    {
        var random = new Random(1234);
        var writer = new ChunkWriter { ChunkSize = 100 };
        var output = new ArrayBufferWriter<byte>();
        var sent = new List<(int Csid, uint Timestamp, RtmpMessageType Type, uint Stream, byte[] Payload)>();
        var timestamps = new Dictionary<int, uint>();
        for (int i = 0; i < 500; i++)
        {
            int csid = random.Next(3, 9);
            uint timestamp = timestamps.GetValueOrDefault(csid) + (uint)(random.Next(5) == 0 ? random.Next(0x1000000, 0x2000000) : random.Next(0, 50));
            timestamps[csid] = timestamp;
            var type = random.Next(2) == 0 ? RtmpMessageType.Audio : RtmpMessageType.Video;
            byte[] payload = new byte[random.Next(0, 600)];
            random.NextBytes(payload);
            writer.Write(output, csid, timestamp, type, (uint)random.Next(1, 3), payload);
            sent.Add((csid, timestamp, type, 0, payload));
        }

        var reader = new ChunkReader();
        reader.SetChunkSize(100);
        var received = ReadAll(output.WrittenSpan.ToArray(), 7, reader);
        Assert.Equal(sent.Count, received.Count);
        for (int i = 0; i < sent.Count; i++)
        {
            Assert.Equal((sent[i].Timestamp, sent[i].Type), (received[i].Timestamp, received[i].Type));
            Assert.Equal(sent[i].Payload, received[i].Payload);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(300)]
    public void HeadAndTailAreChunkedAsOnePayload(int split)
    {
        byte[] payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var whole = new ArrayBufferWriter<byte>();
        new ChunkWriter().Write(whole, 6, 40, RtmpMessageType.Video, 1, payload);
        var parts = new ArrayBufferWriter<byte>();
        new ChunkWriter().Write(parts, 6, 40, RtmpMessageType.Video, 1, payload.AsSpan(0, split), payload.AsSpan(split));
        Assert.Equal(Hex.Of(whole.WrittenSpan), Hex.Of(parts.WrittenSpan));
    }

    [Fact]
    public void OversizedMessageIsRefused()
    {
        byte[] bytes = Hex.Parse("03" + "000000" + "ffffff" + "09" + "01000000");
        Assert.Throws<RtmpProtocolException>(() => ReadAll(bytes, 0));
    }

    [Fact]
    public void TooManyChunkStreamsAreRefused()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new ChunkWriter();
        for (int csid = 3; csid < 3 + RtmpLimits.MaxChunkStreams + 1; csid++)
        {
            writer.Write(output, csid, 0, RtmpMessageType.Audio, 1, [1]);
        }

        Assert.Throws<RtmpProtocolException>(() => ReadAll(output.WrittenSpan.ToArray(), 0));
    }

    [Fact]
    public void ChunkStreamStartingWithTypeTwoIsRefused() =>
        Assert.Throws<RtmpProtocolException>(() => ReadAll(Hex.Parse("83000014"), 0));

    [Theory]
    [InlineData(0u)]
    [InlineData(RtmpLimits.MaxChunkSize + 1u)]
    public void InvalidChunkSizeIsRefused(uint size) => Assert.Throws<RtmpProtocolException>(() => new ChunkReader().SetChunkSize(size));

    [Fact]
    public void AbortDropsThePartialMessage()
    {
        var reader = new ChunkReader();
        var output = new ArrayBufferWriter<byte>();
        new ChunkWriter().Write(output, 5, 0, RtmpMessageType.Video, 1, new byte[300]);
        var buffer = new ReadOnlySequence<byte>(output.WrittenSpan[..(12 + 128)].ToArray());
        Assert.False(reader.TryReadMessage(ref buffer, out _));
        reader.Abort(5);

        var next = new ArrayBufferWriter<byte>();
        new ChunkWriter().Write(next, 5, 0, RtmpMessageType.Audio, 1, [1, 2, 3]);
        var message = Assert.Single(ReadAll(next.WrittenSpan.ToArray(), 0, reader));
        Assert.Equal(RtmpMessageType.Audio, message.Type);
    }

    private sealed record Received(RtmpMessageType Type, uint Timestamp, uint StreamId, byte[] Payload);

    /// <summary>Feeds bytes in pieces of <paramref name="pieceSize"/> (0: all at once), as a network would.</summary>
    private static List<Received> ReadAll(byte[] bytes, int pieceSize, ChunkReader? reader = null)
    {
        reader ??= new ChunkReader();
        var messages = new List<Received>();
        var pending = new List<byte>();
        int step = pieceSize == 0 ? bytes.Length : pieceSize;
        for (int offset = 0; offset < bytes.Length; offset += step)
        {
            pending.AddRange(bytes.AsSpan(offset, Math.Min(step, bytes.Length - offset)).ToArray());
            var buffer = Bytes.Fragmented(pending.ToArray(), Math.Max(1, step));
            long before = buffer.Length;
            while (reader.TryReadMessage(ref buffer, out var message))
            {
                messages.Add(new Received(message.Type, message.Timestamp, message.StreamId, message.Payload.ToArray()));
                message.Return();
            }

            pending.RemoveRange(0, (int)(before - buffer.Length));
        }

        Assert.Empty(pending);
        return messages;
    }
}
