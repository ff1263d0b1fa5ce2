using System.Buffers.Binary;
using Stagecast.Media.Codecs.Vp8;
using Stagecast.Media.Rtp;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.WebRtc.Rtp;

/// <summary>
/// One track forwarded as the publisher's RTP came through the hub, to one receiver (a meeting WHEP subscription, a
/// RealtimeKit consumer): each packet gets the receiver's payload type and SSRC and a sequence number continuing the
/// receiver's own; video starts at a keyframe. After <see cref="Restart"/> (a new or restarted publisher, another
/// simulcast layer) the numbers carry on from where they were, and video waits for the next keyframe. Given a time
/// provider, the timestamps and VP8 picture ids carry on too, by the time that passed: a new source (a simulcast layer
/// has its own) starts them anywhere, and a receiver drops as old the frames of one that went back. The publisher's
/// padding-only packets (its pacer's probes) are not forwarded: a receiver's link has no room to spare for them. Not
/// thread-safe: its owner serialises it.
/// </summary>
internal sealed class ForwardedTrack(RtpCodec codec, uint ssrc, bool video, TimeProvider? time = null)
{
    private readonly bool _vp8 = time is not null && video && codec.Is("VP8");
    private readonly (ushort From, int Delta)[] _shifts = new (ushort, int)[64]; // the newest moves of the offset: padding dropped or added
    private ushort _next = RtpHeader.InitialSequenceNumber();
    private ushort _offset;
    private bool _started;
    private bool _switching;
    private bool _sent;
    private bool _frameEnded;
    private uint _timestampOffset;
    private uint _lastTimestamp;
    private long _restartedAt;
    private int _pictureIdOffset;
    private int _lastPictureId = -1;
    private byte _tl0Offset;
    private int _lastTl0 = -1;
    private int _shiftCount;

    public uint Ssrc { get; } = ssrc;

    public void Restart()
    {
        _started = false;
        _switching = time is not null;
        _restartedAt = time?.GetTimestamp() ?? 0; // about when the last packet went: a source is left as it is restarted
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
        if (_started && sequence == (ushort)(_next - _offset) && RtpHeader.IsPaddingOnly(packet))
        {
            // The publisher's probe of its own uplink, next in order: not forwarded, and the numbers close over it (a
            // receiver would ask for a gap again).
            Shift((ushort)(sequence + 1), -1);
            return false;
        }

        if (!_started)
        {
            if (video && !codec.StartsKeyframe(packet[headerLength..]))
            {
                return false;
            }

            _started = true;
            _offset = (ushort)(_next - sequence);
            _shiftCount = 0;
            if (_switching && _sent)
            {
                Continue(packet[headerLength..], timestamp);
            }

            _switching = false;
        }

        packet.CopyTo(into);
        into[1] = (byte)((into[1] & 0x80) | codec.PayloadType);
        bool late = (short)(sequence - (ushort)(_next - _offset)) < 0;
        sequence = (ushort)(sequence + (late ? OffsetOf(sequence) : _offset));
        BinaryPrimitives.WriteUInt16BigEndian(into[2..], sequence);
        _lastTimestamp = timestamp + _timestampOffset;
        BinaryPrimitives.WriteUInt32BigEndian(into[4..], _lastTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(into[8..], Ssrc);
        if (_vp8)
        {
            RewriteVp8(into[headerLength..]);
        }

        if ((short)(sequence - _next) >= 0)
        {
            _next = (ushort)(sequence + 1);
        }

        _sent = true;
        _frameEnded = (packet[1] & 0x80) != 0;
        return true;
    }

    /// <summary>The offset moves by <paramref name="delta"/> from the source's number <paramref name="from"/> on (remembered for late packets).</summary>
    private void Shift(ushort from, int delta)
    {
        _offset = (ushort)(_offset + delta);
        _shifts[_shiftCount++ % _shifts.Length] = (from, delta);
    }

    /// <summary>
    /// The offset of a source's number: the newest, less the shifts made after <paramref name="source"/> (a packet that
    /// came late, a retransmission, goes where it would have gone in order).
    /// </summary>
    private ushort OffsetOf(ushort source)
    {
        int offset = _offset;
        for (int i = Math.Max(0, _shiftCount - _shifts.Length); i < _shiftCount; i++)
        {
            var (from, delta) = _shifts[i % _shifts.Length];
            if ((short)(from - source) > 0)
            {
                offset -= delta;
            }
        }

        return (ushort)offset;
    }

    /// <summary>
    /// Writes a padding-only packet (RFC 3550 section 5.1: P set, its last byte the padding's length) of
    /// <paramref name="padding"/> bytes (1 to 255) after the header into <paramref name="into"/>: the next sequence number,
    /// the last timestamp, between two frames (after a packet that ended one), so the receiver's depacketizer only sees a
    /// number to skip. A track waiting for its next source's keyframe (paused, or switching layers) pads too: the frame it
    /// left is cut short either way, and the source's numbers start after the padding's. False before the track sent
    /// anything or inside a frame it is still sending; returns the length written otherwise.
    /// </summary>
    public int TryPad(Span<byte> into, int padding, out ushort sequence)
    {
        sequence = _next;
        if (!_sent || (_started && !_frameEnded) || padding is < 1 or > 255)
        {
            return 0;
        }

        into[0] = 0xA0; // version 2, padding
        into[1] = (byte)codec.PayloadType;
        BinaryPrimitives.WriteUInt16BigEndian(into[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(into[4..], _lastTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(into[8..], Ssrc);
        into.Slice(RtpHeader.FixedLength, padding - 1).Clear();
        into[RtpHeader.FixedLength + padding - 1] = (byte)padding;
        if (_started)
        {
            Shift((ushort)(_next - _offset), +1); // the source's next packet comes after it
        }

        _next++;
        return RtpHeader.FixedLength + padding;
    }

    /// <summary>The first packet of the new source: its timestamp follows the last sent by the time passed since the restart, its picture ids the last one.</summary>
    private void Continue(ReadOnlySpan<byte> payload, uint timestamp)
    {
        double elapsed = time!.GetElapsedTime(_restartedAt).TotalSeconds;
        uint step = (uint)Math.Clamp(elapsed * codec.ClockRate, 1, codec.ClockRate * 10.0);
        _timestampOffset = _lastTimestamp + step - timestamp;
        if (_vp8 && Vp8Descriptor.TryRead(payload, out var descriptor))
        {
            _pictureIdOffset = descriptor.PictureIdAt < 0 || _lastPictureId < 0 ? 0
                : (_lastPictureId + 1 - ReadPictureId(payload, descriptor)) & ((1 << descriptor.PictureIdBits) - 1);
            _tl0Offset = descriptor.Tl0At < 0 || _lastTl0 < 0 ? (byte)0 : (byte)(_lastTl0 + 1 - payload[descriptor.Tl0At]);
        }
    }

    /// <summary>Carries the VP8 payload descriptor's picture id and TL0PICIDX on by their offsets, and notes them.</summary>
    private void RewriteVp8(Span<byte> payload)
    {
        if (!Vp8Descriptor.TryRead(payload, out var descriptor))
        {
            return;
        }

        if (descriptor.PictureIdAt >= 0)
        {
            int pictureId = (ReadPictureId(payload, descriptor) + _pictureIdOffset) & ((1 << descriptor.PictureIdBits) - 1);
            if (descriptor.PictureIdBits == 15)
            {
                payload[descriptor.PictureIdAt] = (byte)(0x80 | (pictureId >> 8));
                payload[descriptor.PictureIdAt + 1] = (byte)pictureId;
            }
            else
            {
                payload[descriptor.PictureIdAt] = (byte)pictureId;
            }

            _lastPictureId = pictureId;
        }

        if (descriptor.Tl0At >= 0)
        {
            payload[descriptor.Tl0At] += _tl0Offset;
            _lastTl0 = payload[descriptor.Tl0At];
        }
    }

    private static int ReadPictureId(ReadOnlySpan<byte> payload, Vp8Descriptor descriptor) =>
        descriptor.PictureIdBits == 15 ? ((payload[descriptor.PictureIdAt] & 0x7F) << 8) | payload[descriptor.PictureIdAt + 1] : payload[descriptor.PictureIdAt] & 0x7F;
}
