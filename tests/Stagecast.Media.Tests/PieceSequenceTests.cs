using System.Buffers;
using Stagecast.Media.Codecs;
using Stagecast.Media.MpegTs;
using Stagecast.Testing;

namespace Stagecast.Media.Tests;

/// <summary>Pieces read as one sequence, nothing copied: what lets TsEgress write each byte of a frame once.</summary>
public class PieceSequenceTests
{
    [Fact]
    public void PiecesReadInOrderAndASequenceAfterClearHoldsOnlyItsOwn()
    {
        var pieces = new PieceSequence();
        byte[] first = [1, 2, 3];
        pieces.Add(first);
        pieces.Add(Array.Empty<byte>());
        pieces.Add(new byte[] { 4, 5 });
        Assert.Equal(5, pieces.Length);
        Assert.Equal([1, 2, 3, 4, 5], pieces.Sequence.ToArray());
        Assert.True(pieces.Sequence.First.Span == first.AsSpan()); // the piece itself, not a copy

        pieces.Clear();
        Assert.True(pieces.Sequence.IsEmpty);
        pieces.Add(new byte[] { 9 });
        Assert.Equal([9], pieces.Sequence.ToArray());
        pieces.Add(new byte[] { 8, 7 });
        pieces.Add(new byte[] { 6 });
        Assert.Equal([9, 8, 7, 6], pieces.Sequence.ToArray());
    }

    [Theory]
    [InlineData(VideoCodec.H264)]
    [InlineData(VideoCodec.H265)]
    public void AnAccessUnitInPiecesIsTheAnnexBTheWriterWritesInOneBuffer(VideoCodec codec)
    {
        byte[] sample = [0, 0, 0, 3, 0x65, 1, 2, 0, 0, 0, 1, 0x41, 0, 0, 0, 2, 0x41, 9];
        byte[][] parameterSets = [GoldenVectors.H264Sps720p, GoldenVectors.H264Pps720p];
        var whole = new ArrayBufferWriter<byte>();
        AnnexBWriter.Write(whole, codec, sample, 4, parameterSets);
        var pieces = new PieceSequence();
        AnnexBWriter.Write(pieces, codec, sample, 4, parameterSets);

        Assert.Equal(Hex.Of(whole.WrittenSpan), Hex.Of(pieces.Sequence.ToArray()));
        Assert.Throws<MediaFormatException>(() => AnnexBWriter.Write(pieces, codec, sample.AsMemory(0, 6), 4, null));
    }

    [Fact]
    public void TransportPacketsOfPiecesAreThoseOfTheSameBytesInOneBuffer()
    {
        // Pieces whose edges fall inside packets and across them: the packets are the same bytes.
        byte[] unit = [0, 0, 0, 1, .. Enumerable.Range(0, 1000).Select(i => (byte)i)];
        var pieces = new PieceSequence();
        foreach (var (start, end) in new[] { (0, 4), (4, 5), (5, 184), (184, 600), (600, unit.Length) })
        {
            pieces.Add(unit.AsMemory(start..end));
        }

        Assert.Equal(Hex.Of(Muxed(new ReadOnlySequence<byte>(unit))), Hex.Of(Muxed(pieces.Sequence)));
    }

    private static byte[] Muxed(ReadOnlySequence<byte> accessUnit)
    {
        var muxer = new TsMuxer();
        muxer.SetStreams(TsStreamType.H264, hasAudio: false);
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteVideo(output, 126000, 126000, keyframe: true, accessUnit);
        return output.WrittenSpan.ToArray();
    }
}
