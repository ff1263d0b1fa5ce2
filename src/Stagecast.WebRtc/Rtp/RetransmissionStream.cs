using System.Buffers.Binary;
using Stagecast.Media.Rtp;
using Stagecast.WebRtc.Sdp;

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

    /// <summary>How a section's SDP states it.</summary>
    public RtxDescription Description => new(PayloadType, Ssrc);

    /// <summary>
    /// The stream a section sending <paramref name="codec"/> repairs on, when <paramref name="offer"/> has <c>rtx</c>
    /// for it, with an SSRC of its own; null otherwise.
    /// </summary>
    public static RetransmissionStream? For(MediaDescription offer, RtpCodec codec) =>
        RtxDescription.PayloadTypeFor(offer, codec) is > 0 and int payloadType ? new RetransmissionStream(payloadType, (uint)Random.Shared.Next(1, int.MaxValue)) : null;

    /// <summary>The receiver's answer kept the payload type: repairs go on this stream.</summary>
    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>
    /// Turns the packet in <paramref name="buffer"/>'s first <paramref name="length"/> bytes into a retransmission where
    /// it lies (its header with this stream's payload type, next sequence number and SSRC, extensions kept; then the OSN
    /// and the original payload, moved along); the new length, or 0 for a packet that is not RTP or does not fit.
    /// </summary>
    public int Wrap(Span<byte> buffer, int length)
    {
        if (!RtpHeader.TryGetLength(buffer[..length], out int headerLength) || length + Overhead > buffer.Length)
        {
            return 0;
        }

        buffer[headerLength..length].CopyTo(buffer[(headerLength + Overhead)..]); // overlapping: copied as memmove
        buffer.Slice(2, 2).CopyTo(buffer[headerLength..]);
        buffer[1] = (byte)((buffer[1] & 0x80) | PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], _sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[8..], Ssrc);
        return length + Overhead;
    }
}
