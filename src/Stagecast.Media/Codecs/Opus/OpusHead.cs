using System.Buffers.Binary;

namespace Stagecast.Media.Codecs.Opus;

/// <summary>
/// RFC 7845's identification header (5.1), which Ogg carries as its first packet and Matroska as the track's
/// CodecPrivate: version 1, the channel count, the pre-skip, 48 kHz, no gain, mapping family 0 (mono or stereo).
/// </summary>
public static class OpusHead
{
    /// <summary>What the decoder drops from the start: 312 samples, libopus's usual encoder delay.</summary>
    public const int PreSkip = 312;

    public const int Length = 19;

    public static byte[] Create(int channels)
    {
        var head = new byte[Length];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1;
        head[9] = (byte)channels;
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), PreSkip);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), OpusPacket.SampleRate);
        return head; // gain 0, mapping family 0
    }
}
