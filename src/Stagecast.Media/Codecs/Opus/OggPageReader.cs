using System.Buffers;
using System.Buffers.Binary;

namespace Stagecast.Media.Codecs.Opus;

/// <summary>
/// Reads Ogg pages (RFC 3533) incrementally and yields the packets of one logical stream with each page's granule
/// position. Packets that span pages are joined; every length is bounded, and a page without the capture pattern is
/// malformed. Header packets (OpusHead, OpusTags) come out like any other; the caller skips them.
/// </summary>
public sealed class OggPageReader
{
    private const int MaxPacket = 255 * 255;
    private readonly ArrayBufferWriter<byte> _packet = new(4096);

    public delegate void PacketHandler(ReadOnlySpan<byte> packet, long granule);

    /// <summary>Consumes whole pages from <paramref name="buffer"/>; returns false when more bytes are needed.</summary>
    public bool TryReadPage(ref ReadOnlySequence<byte> buffer, PacketHandler handler)
    {
        var reader = new SequenceReader<byte>(buffer);
        Span<byte> header = stackalloc byte[27];
        if (!reader.TryCopyTo(header))
        {
            return false;
        }

        if (!header[..4].SequenceEqual("OggS"u8) || header[4] != 0)
        {
            ThrowHelper.Malformed("not an Ogg page: capture pattern missing");
        }

        int segments = header[26];
        if (reader.Remaining < 27 + segments)
        {
            return false;
        }

        Span<byte> lacing = stackalloc byte[255];
        reader.Advance(27);
        reader.TryCopyTo(lacing[..segments]);
        reader.Advance(segments);
        int bodyLength = 0;
        foreach (byte value in lacing[..segments])
        {
            bodyLength += value;
        }

        if (reader.Remaining < bodyLength)
        {
            return false;
        }

        long granule = BinaryPrimitives.ReadInt64LittleEndian(header[6..]);
        byte[] body = ArrayPool<byte>.Shared.Rent(Math.Max(bodyLength, 1));
        try
        {
            reader.TryCopyTo(body.AsSpan(0, bodyLength));
            reader.Advance(bodyLength);
            if ((header[5] & 0x01) == 0)
            {
                _packet.ResetWrittenCount(); // not a continuation: anything half-read is dropped
            }

            int offset = 0;
            foreach (byte value in lacing[..segments])
            {
                if (_packet.WrittenCount + value > MaxPacket)
                {
                    ThrowHelper.Malformed("an Ogg packet larger than 64 KiB");
                }

                _packet.Write(body.AsSpan(offset, value));
                offset += value;
                if (value < 255)
                {
                    handler(_packet.WrittenSpan, granule);
                    _packet.ResetWrittenCount();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }

        buffer = buffer.Slice(reader.Position);
        return true;
    }
}
