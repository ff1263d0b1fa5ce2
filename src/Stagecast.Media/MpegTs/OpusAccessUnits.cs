using System.Buffers.Binary;

namespace Stagecast.Media.MpegTs;

/// <summary>
/// The Opus packets of one PES payload (Opus in MPEG-TS, opus-codec.org, section 6.2): each behind a control header.
/// <code>
/// 11 prefix 0x3FF | 1 start_trim_flag 1 end_trim_flag 1 control_extension_flag 2 reserved
/// au_size: 0xFF bytes adding 255 each, then one byte &lt; 255 | [u16 start_trim] [u16 end_trim] [u8 length, extension] | packet
/// </code>
/// </summary>
public static class OpusAccessUnits
{
    /// <summary>An Opus packet is at most 120 ms of at most 510 kbit/s, about 7.7 kB; the control header allows no more.</summary>
    public const int MaxPacketSize = 8 * 1024;

    /// <summary>
    /// Takes the next packet from <paramref name="payload"/>; false when none is left. Throws
    /// <see cref="MediaFormatException"/> when a control header is malformed or announces more than is there.
    /// </summary>
    public static bool TryRead(ref ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        if (payload.Length < 2 || (BinaryPrimitives.ReadUInt16BigEndian(payload) & 0xFFE0) != 0x7FE0)
        {
            ThrowHelper.Malformed("Opus access unit without its control header");
        }

        bool startTrim = (payload[1] & 0x10) != 0;
        bool endTrim = (payload[1] & 0x08) != 0;
        bool extension = (payload[1] & 0x04) != 0;
        int at = 2;
        int size = 0;
        while (true)
        {
            if (at >= payload.Length)
            {
                ThrowHelper.Malformed("Opus control header truncated in au_size");
            }

            byte b = payload[at++];
            size += b;
            if (b != 0xFF)
            {
                break;
            }

            if (size > MaxPacketSize)
            {
                ThrowHelper.Malformed($"Opus packet of more than {MaxPacketSize} bytes");
            }
        }

        at += (startTrim ? 2 : 0) + (endTrim ? 2 : 0);
        if (extension)
        {
            at = at < payload.Length ? at + 1 + payload[at] : int.MaxValue;
        }

        if (size > MaxPacketSize || at > payload.Length || size > payload.Length - at)
        {
            ThrowHelper.Malformed($"Opus access unit of {size} bytes exceeds its PES packet");
        }

        packet = payload.Slice(at, size);
        payload = payload[(at + size)..];
        return true;
    }
}
