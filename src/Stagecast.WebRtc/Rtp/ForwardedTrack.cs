using System.Buffers.Binary;
using Stagecast.Media.Rtp;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.WebRtc.Rtp;

/// <summary>
/// One track forwarded as the publisher's RTP came through the hub, to one receiver (a meeting WHEP subscription, a
/// RealtimeKit consumer): each packet gets the receiver's payload type and SSRC and a sequence number continuing the
/// receiver's own; video starts at a keyframe. After <see cref="Restart"/> (a new or restarted publisher, another
/// simulcast layer) the numbers carry on from where they were, and video waits for the next keyframe. Given a time
/// provider, the timestamps and VP8 picture ids carry on too, by the time that passed: a new source (a simulcast layer
/// has its own) starts them anywhere, and a receiver drops as old the frames of one that went back. Not thread-safe:
/// its owner serialises it.
/// </summary>
internal sealed class ForwardedTrack(RtpCodec codec, uint ssrc, bool video, TimeProvider? time = null)
{
    private readonly bool _vp8 = video && codec.Is("VP8");
    private ushort _next = RtpHeader.InitialSequenceNumber();
    private ushort _offset;
    private bool _started;
    private bool _switching;
    private bool _sent;
    private uint _timestampOffset;
    private uint _lastTimestamp;
    private long _lastSentAt;
    private int _pictureIdOffset;
    private int _lastPictureId = -1;
    private byte _tl0Offset;
    private int _lastTl0 = -1;

    public uint Ssrc { get; } = ssrc;

    public void Restart()
    {
        _started = false;
        _switching = time is not null;
    }

    /// <summary>A timestamp of the source (a sender report's) as this track writes it.</summary>
    public uint Timestamp(uint timestamp) => timestamp + _timestampOffset;

    /// <summary>
    /// Writes <paramref name="packet"/>, rewritten, into the start of <paramref name="into"/> (at least as long);
    /// false when it is not forwarded (video before its keyframe).
    /// </summary>
    public bool TryRewrite(ReadOnlySpan<byte> packet, int headerLength, Span<byte> into, out ushort sequence)
    {
        sequence = RtpHeader.SequenceNumber(packet);
        uint timestamp = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        if (!_started)
        {
            if (video && !codec.StartsKeyframe(packet[headerLength..]))
            {
                return false;
            }

            _started = true;
            _offset = (ushort)(_next - sequence);
            if (_switching && _sent)
            {
                Continue(packet[headerLength..], timestamp);
            }

            _switching = false;
        }

        packet.CopyTo(into);
        into[1] = (byte)((into[1] & 0x80) | codec.PayloadType);
        sequence = (ushort)(sequence + _offset);
        BinaryPrimitives.WriteUInt16BigEndian(into[2..], sequence);
        _lastTimestamp = timestamp + _timestampOffset;
        BinaryPrimitives.WriteUInt32BigEndian(into[4..], _lastTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(into[8..], Ssrc);
        if (_vp8)
        {
            RewriteVp8(into[headerLength..]);
        }

        _next = (ushort)(sequence + 1);
        _sent = true;
        _lastSentAt = time?.GetTimestamp() ?? 0;
        return true;
    }

    /// <summary>The first packet of the new layer: its timestamp follows the last sent by the time passed, its picture ids the last one.</summary>
    private void Continue(ReadOnlySpan<byte> payload, uint timestamp)
    {
        double elapsed = time!.GetElapsedTime(_lastSentAt).TotalSeconds;
        uint step = (uint)Math.Clamp(elapsed * codec.ClockRate, 1, codec.ClockRate * 10.0);
        _timestampOffset = _lastTimestamp + step - timestamp;
        if (_vp8 && Vp8Ids(payload) is var (pictureId, pictureIdBits, tl0, _, _))
        {
            _pictureIdOffset = pictureId < 0 || _lastPictureId < 0 ? 0 : (_lastPictureId + 1 - pictureId) & ((1 << pictureIdBits) - 1);
            _tl0Offset = tl0 < 0 || _lastTl0 < 0 ? (byte)0 : (byte)(_lastTl0 + 1 - tl0);
        }
    }

    /// <summary>Carries the VP8 payload descriptor's picture id and TL0PICIDX (RFC 7741 section 4.2) on by their offsets, and notes them.</summary>
    private void RewriteVp8(Span<byte> payload)
    {
        if (Vp8Ids(payload) is not var (pictureId, bits, tl0, pictureIdAt, tl0At))
        {
            return;
        }

        if (pictureId >= 0)
        {
            pictureId = (pictureId + _pictureIdOffset) & ((1 << bits) - 1);
            if (bits == 15)
            {
                payload[pictureIdAt] = (byte)(0x80 | (pictureId >> 8));
                payload[pictureIdAt + 1] = (byte)pictureId;
            }
            else
            {
                payload[pictureIdAt] = (byte)pictureId;
            }

            _lastPictureId = pictureId;
        }

        if (tl0 >= 0)
        {
            payload[tl0At] = (byte)(tl0 + _tl0Offset);
            _lastTl0 = payload[tl0At];
        }
    }

    /// <summary>The descriptor's picture id (-1: none) and its width in bits, its TL0PICIDX (-1: none), and where each is; null when too short.</summary>
    private static (int PictureId, int Bits, int Tl0, int PictureIdAt, int Tl0At)? Vp8Ids(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 1 || (payload[0] & 0x80) == 0)
        {
            return payload.Length < 1 ? null : (-1, 7, -1, 0, 0);
        }

        if (payload.Length < 2)
        {
            return null;
        }

        byte extensions = payload[1];
        int at = 2;
        int pictureId = -1, bits = 7, pictureIdAt = 0;
        if ((extensions & 0x80) != 0)
        {
            if (payload.Length <= at)
            {
                return null;
            }

            pictureIdAt = at;
            bits = (payload[at] & 0x80) != 0 ? 15 : 7;
            if (bits == 15 && payload.Length <= at + 1)
            {
                return null;
            }

            pictureId = bits == 15 ? ((payload[at] & 0x7F) << 8) | payload[at + 1] : payload[at] & 0x7F;
            at += bits == 15 ? 2 : 1;
        }

        int tl0 = -1;
        if ((extensions & 0x40) != 0)
        {
            if (payload.Length <= at)
            {
                return null;
            }

            tl0 = payload[at];
        }

        return (pictureId, bits, tl0, pictureIdAt, at);
    }
}
