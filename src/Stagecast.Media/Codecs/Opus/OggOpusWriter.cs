using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Stagecast.Media.Codecs.Opus;

/// <summary>
/// Writes Opus packets as an Ogg stream (RFC 3533 pages, RFC 7845 encapsulation): the OpusHead and OpusTags headers,
/// then one packet per page with its granule position (the 48 kHz sample count at the packet's end), which is how a
/// decoder such as ffmpeg learns the timing, gaps included.
/// </summary>
public sealed class OggOpusWriter(int channels = 2)
{
    private static readonly uint[] CrcTable = BuildCrcTable();
    private readonly uint _serial = (uint)Random.Shared.Next();
    private uint _sequence;

    public void WriteHeaders(IBufferWriter<byte> output)
    {
        WritePage(output, OpusHead.Create(channels), 0, beginning: true);

        byte[] vendor = Encoding.ASCII.GetBytes("stagecast");
        Span<byte> tags = stackalloc byte[8 + 4 + vendor.Length + 4];
        "OpusTags"u8.CopyTo(tags);
        BinaryPrimitives.WriteUInt32LittleEndian(tags[8..], (uint)vendor.Length);
        vendor.CopyTo(tags[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(tags[(12 + vendor.Length)..], 0);
        WritePage(output, tags, 0, beginning: false);
    }

    /// <summary>One packet on its own page; <paramref name="granule"/> counts 48 kHz samples up to the packet's end plus the pre-skip.</summary>
    public void WritePacket(IBufferWriter<byte> output, ReadOnlySpan<byte> packet, long granule) => WritePage(output, packet, granule + OpusHead.PreSkip, beginning: false);

    private void WritePage(IBufferWriter<byte> output, ReadOnlySpan<byte> packet, long granule, bool beginning)
    {
        if (packet.Length > 255 * 254)
        {
            throw new ArgumentException("an Opus packet larger than one Ogg page", nameof(packet));
        }

        int segments = (packet.Length / 255) + 1;
        int length = 27 + segments + packet.Length;
        var page = output.GetSpan(length)[..length];
        "OggS"u8.CopyTo(page);
        page[4] = 0;
        page[5] = (byte)(beginning ? 0x02 : 0);
        BinaryPrimitives.WriteInt64LittleEndian(page[6..], granule);
        BinaryPrimitives.WriteUInt32LittleEndian(page[14..], _serial);
        BinaryPrimitives.WriteUInt32LittleEndian(page[18..], _sequence++);
        BinaryPrimitives.WriteUInt32LittleEndian(page[22..], 0);
        page[26] = (byte)segments;
        for (int i = 0; i < segments - 1; i++)
        {
            page[27 + i] = 255;
        }

        page[27 + segments - 1] = (byte)(packet.Length % 255);
        packet.CopyTo(page[(27 + segments)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(page[22..], Crc(page));
        output.Advance(length);
    }

    /// <summary>Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial value and final XOR 0.</summary>
    public static uint Crc(ReadOnlySpan<byte> data)
    {
        uint crc = 0;
        foreach (byte b in data)
        {
            crc = (crc << 8) ^ CrcTable[(byte)((crc >> 24) ^ b)];
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint r = i << 24;
            for (int bit = 0; bit < 8; bit++)
            {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            }

            table[i] = r;
        }

        return table;
    }
}
