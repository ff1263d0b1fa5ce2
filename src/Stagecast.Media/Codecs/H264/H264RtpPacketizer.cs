using System.Buffers.Binary;

namespace Stagecast.Media.Codecs.H264;

/// <summary>
/// Splits an AVCC access unit into RTP payloads of packetization mode 1 (RFC 6184): a NAL unit that fits goes alone,
/// a larger one as FU-A fragments; before an IDR picture the SPS and PPS go together in one STAP-A so a viewer who
/// joins there can decode. The marker is set on the last payload of the access unit.
/// </summary>
public static class H264RtpPacketizer
{
    public delegate void PayloadHandler(ReadOnlySpan<byte> payload, bool marker);

    /// <summary>Packetizes one access unit whose NAL units carry <paramref name="nalLengthSize"/>-byte lengths.</summary>
    public static void Packetize(ReadOnlySpan<byte> accessUnit, int nalLengthSize, int maxPayload, ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps, bool keyframe, PayloadHandler emit)
    {
        Span<byte> scratch = stackalloc byte[maxPayload];
        if (keyframe && !sps.IsEmpty && !pps.IsEmpty && 5 + sps.Length + pps.Length <= maxPayload)
        {
            scratch[0] = (byte)((sps[0] & 0x60) | 24);
            BinaryPrimitives.WriteUInt16BigEndian(scratch[1..], (ushort)sps.Length);
            sps.CopyTo(scratch[3..]);
            BinaryPrimitives.WriteUInt16BigEndian(scratch[(3 + sps.Length)..], (ushort)pps.Length);
            pps.CopyTo(scratch[(5 + sps.Length)..]);
            emit(scratch[..(5 + sps.Length + pps.Length)], false);
        }

        var rest = accessUnit;
        while (rest.Length > nalLengthSize)
        {
            int size = ReadLength(rest, nalLengthSize);
            if (size <= 0 || size > rest.Length - nalLengthSize)
            {
                return; // malformed: what was sent so far stands
            }

            var nal = rest.Slice(nalLengthSize, size);
            rest = rest[(nalLengthSize + size)..];
            int type = nal[0] & 0x1F;
            if (type is 9 or 12 || (keyframe && type is 7 or 8))
            {
                continue; // AUD and filler carry nothing; parameter sets already went in the STAP-A
            }

            bool last = rest.Length <= nalLengthSize;
            if (nal.Length <= maxPayload)
            {
                emit(nal, last);
                continue;
            }

            byte indicator = (byte)((nal[0] & 0xE0) | 28);
            var body = nal[1..];
            bool first = true;
            while (!body.IsEmpty)
            {
                int chunk = Math.Min(body.Length, maxPayload - 2);
                bool end = chunk == body.Length;
                scratch[0] = indicator;
                scratch[1] = (byte)((first ? 0x80 : 0) | (end ? 0x40 : 0) | type);
                body[..chunk].CopyTo(scratch[2..]);
                emit(scratch[..(2 + chunk)], end && last);
                body = body[chunk..];
                first = false;
            }
        }
    }

    private static int ReadLength(ReadOnlySpan<byte> data, int size) => size switch
    {
        4 => BinaryPrimitives.ReadInt32BigEndian(data),
        2 => BinaryPrimitives.ReadUInt16BigEndian(data),
        1 => data[0],
        _ => (data[0] << 16) | (data[1] << 8) | data[2],
    };
}
