using System.Buffers;
using System.Buffers.Binary;

namespace Stagecast.Media.Codecs;

/// <summary>
/// The reverse of <see cref="AnnexBConverter"/>: a length-prefixed sample written as an Annex B access unit, as
/// MPEG-TS carries it: an access unit delimiter first (H.222.0 2.14 asks for one in every H.264 and H.265 access
/// unit), the parameter sets before a keyframe (a player may start there), then the sample's NAL units.
/// </summary>
public static class AnnexBWriter
{
    /// <summary>H.264 AUD: type 9, primary_pic_type 7 (any slice type), stop bit.</summary>
    private static readonly byte[] H264Delimiter = [0x09, 0xF0];

    /// <summary>H.265 AUD: type 35 in the 2-byte header, pic_type 2 (any slice type), stop bit.</summary>
    private static readonly byte[] H265Delimiter = [0x46, 0x01, 0x50];

    private static readonly byte[] StartCode = AnnexB.StartCode.ToArray();

    /// <summary>
    /// Writes the access unit; throws <see cref="MediaFormatException"/> when a NAL length runs past the sample.
    /// </summary>
    public static void Write(IBufferWriter<byte> output, VideoCodec codec, ReadOnlySpan<byte> sample, int nalLengthSize, IReadOnlyList<byte[]>? parameterSets)
    {
        WriteNal(output, codec == VideoCodec.H265 ? H265Delimiter : H264Delimiter);
        foreach (byte[] set in parameterSets ?? [])
        {
            WriteNal(output, set);
        }

        while (!sample.IsEmpty)
        {
            int length = NalLength(sample, nalLengthSize);
            WriteNal(output, sample.Slice(nalLengthSize, length));
            sample = sample[(nalLengthSize + length)..];
        }
    }

    /// <summary>
    /// The same access unit as pieces of <paramref name="output"/>: start codes, delimiter and parameter sets of their
    /// own, the NAL units where they are in <paramref name="sample"/> (nothing copied: the sample must outlive the read).
    /// </summary>
    public static void Write(PieceSequence output, VideoCodec codec, ReadOnlyMemory<byte> sample, int nalLengthSize, IReadOnlyList<byte[]>? parameterSets)
    {
        AddNal(output, codec == VideoCodec.H265 ? H265Delimiter : H264Delimiter);
        foreach (byte[] set in parameterSets ?? [])
        {
            AddNal(output, set);
        }

        while (!sample.IsEmpty)
        {
            int length = NalLength(sample.Span, nalLengthSize);
            AddNal(output, sample.Slice(nalLengthSize, length));
            sample = sample[(nalLengthSize + length)..];
        }
    }

    /// <summary>The length of the NAL unit at the start of <paramref name="sample"/>, checked against what is left.</summary>
    private static int NalLength(ReadOnlySpan<byte> sample, int nalLengthSize)
    {
        if (sample.Length < nalLengthSize)
        {
            ThrowHelper.Malformed("sample ends inside a NAL unit length");
        }

        int length = nalLengthSize switch
        {
            1 => sample[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(sample),
            _ => BinaryPrimitives.ReadInt32BigEndian(sample),
        };
        return length < 0 || length > sample.Length - nalLengthSize
            ? ThrowHelper.Malformed<int>($"NAL unit of {length} bytes runs past its sample")
            : length;
    }

    private static void WriteNal(IBufferWriter<byte> output, ReadOnlySpan<byte> nal)
    {
        output.Write(StartCode);
        output.Write(nal);
    }

    private static void AddNal(PieceSequence output, ReadOnlyMemory<byte> nal)
    {
        output.Add(StartCode);
        output.Add(nal);
    }
}
