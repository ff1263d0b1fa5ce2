using System.Buffers.Binary;
using Stagecast.Media.Rtp;

namespace Stagecast.WebRtc.Rtp;

/// <summary>
/// A track's retransmission stream (RFC 4588, the <c>rtx</c> payload format): a packet sent again goes on its own SSRC
/// with its own payload type and sequence numbers, its original sequence number (the OSN) leading the payload, so the
/// receiver tells repairs from new media and from padding, and counts them apart (Chrome's
/// <c>retransmittedPacketsReceived</c>). Used once the receiver's answer took the payload type (<see cref="Enabled"/>);
/// until then, or without it, packets go again as they were. One writer at a time (the track's NACK responder, under its lock).
/// </summary>
public sealed class RetransmissionStream(int payloadType, uint ssrc)
{
    /// <summary>What the payload grows by: the original sequence number.</summary>
    public const int Overhead = 2;

    private ushort _sequence = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
    private volatile bool _enabled;

    public int PayloadType { get; } = payloadType;

    public uint Ssrc { get; } = ssrc;

    /// <summary>The receiver's answer kept the payload type: repairs go on this stream.</summary>
    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>
    /// Writes <paramref name="original"/> as a retransmission into <paramref name="destination"/> (its header with this
    /// stream's payload type, next sequence number and SSRC, extensions kept; then the OSN and the original payload);
    /// its length, or 0 for a packet that is not RTP or does not fit.
    /// </summary>
    public int Wrap(ReadOnlySpan<byte> original, Span<byte> destination)
    {
        if (!RtpHeader.TryGetLength(original, out int headerLength) || original.Length + Overhead > destination.Length)
        {
            return 0;
        }

        original[..headerLength].CopyTo(destination);
        destination[1] = (byte)((original[1] & 0x80) | PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], _sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Ssrc);
        original.Slice(2, 2).CopyTo(destination[headerLength..]);
        original[headerLength..].CopyTo(destination[(headerLength + Overhead)..]);
        return original.Length + Overhead;
    }
}
