using System.Buffers.Binary;
using Stagecast.Media.Rtp;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.WebRtc.Rtp;

/// <summary>
/// One track forwarded as the publisher's RTP came through the hub, to one receiver (a meeting WHEP subscription, a
/// RealtimeKit consumer): each packet gets the receiver's payload type and SSRC and a sequence number continuing the
/// receiver's own; video starts at a keyframe. After <see cref="Restart"/> (a new or restarted publisher) the numbers
/// carry on from where they were, and video waits for the next keyframe. Not thread-safe: its owner serialises it.
/// </summary>
internal sealed class ForwardedTrack(RtpCodec codec, uint ssrc, bool video)
{
    private ushort _next = RtpHeader.InitialSequenceNumber();
    private ushort _offset;
    private bool _started;

    public uint Ssrc { get; } = ssrc;

    public void Restart() => _started = false;

    /// <summary>
    /// Writes <paramref name="packet"/>, rewritten, into the start of <paramref name="into"/> (at least as long);
    /// false when it is not forwarded (video before its keyframe).
    /// </summary>
    public bool TryRewrite(ReadOnlySpan<byte> packet, int headerLength, Span<byte> into, out ushort sequence)
    {
        sequence = RtpHeader.SequenceNumber(packet);
        if (!_started)
        {
            if (video && !codec.StartsKeyframe(packet[headerLength..]))
            {
                return false;
            }

            _started = true;
            _offset = (ushort)(_next - sequence);
        }

        packet.CopyTo(into);
        into[1] = (byte)((into[1] & 0x80) | codec.PayloadType);
        sequence = (ushort)(sequence + _offset);
        BinaryPrimitives.WriteUInt16BigEndian(into[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(into[8..], Ssrc);
        _next = (ushort)(sequence + 1);
        return true;
    }
}
