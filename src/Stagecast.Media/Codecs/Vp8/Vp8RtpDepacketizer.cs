using System.Buffers;

namespace Stagecast.Media.Codecs.Vp8;

/// <summary>
/// Where the fields of a VP8 RTP payload descriptor (RFC 7741 section 4.2) are: its length, whether it starts
/// partition 0 of a frame, and the offsets of its PictureID (7 or 15 bits) and TL0PICIDX (-1 when absent).
/// </summary>
public readonly record struct Vp8Descriptor(int Length, bool Start, int PictureIdAt, int PictureIdBits, int Tl0At)
{
    /// <summary>Reads the descriptor at the start of an RTP payload; false when it is empty or truncated.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out Vp8Descriptor descriptor)
    {
        descriptor = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        int offset = 1, pictureIdAt = -1, bits = 0, tl0At = -1;
        bool start = (payload[0] & 0x10) != 0 && (payload[0] & 0x07) == 0;
        if ((payload[0] & 0x80) != 0)
        {
            if (payload.Length < 2)
            {
                return false;
            }

            byte extension = payload[1];
            offset = 2;
            if ((extension & 0x80) != 0)
            {
                if (payload.Length <= offset)
                {
                    return false;
                }

                (pictureIdAt, bits) = (offset, (payload[offset] & 0x80) != 0 ? 15 : 7);
                offset += bits == 15 ? 2 : 1;
            }

            if ((extension & 0x40) != 0)
            {
                tl0At = offset++;
            }

            if ((extension & 0x30) != 0)
            {
                offset++;
            }
        }

        descriptor = new Vp8Descriptor(offset, start, pictureIdAt, bits, tl0At);
        return offset <= payload.Length;
    }
}

/// <summary>A VP8 frame put together from RTP, in a pooled buffer the receiver now owns.</summary>
public readonly record struct Vp8Frame(byte[] Buffer, int Length, uint RtpTimestamp, bool IsKeyframe);

/// <summary>
/// Reassembles VP8 frames from RTP (RFC 7741): the payload descriptor (with its optional PictureID, TL0PICIDX and
/// TID/KEYIDX bytes) is stripped, a frame starts at S=1 with partition 0 and ends at the marker bit or a new
/// timestamp. After a loss everything is dropped up to the next keyframe.
/// </summary>
public sealed class Vp8RtpDepacketizer
{
    private const int MaxFrame = MediaLimits.MaxMediaMessageSize;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _length;
    private uint _timestamp;
    private bool _inFrame;
    private bool _broken;
    private bool _waitForKeyframe = true;

    public bool WaitingForKeyframe => _waitForKeyframe;

    public void Discontinuity()
    {
        _broken = true;
        _waitForKeyframe = true;
    }

    public Vp8Frame? Push(ReadOnlySpan<byte> payload, uint timestamp, bool marker)
    {
        Vp8Frame? completed = null;
        if (_inFrame && timestamp != _timestamp)
        {
            completed = Complete();
        }

        if (payload.IsEmpty)
        {
            return completed; // padding only (bandwidth probing)
        }

        int offset = DescriptorLength(payload, out bool start);
        if (offset < 0)
        {
            _broken = true;
            _waitForKeyframe = true;
        }
        else if (start)
        {
            if (_inFrame && completed is null)
            {
                completed = Complete();
            }

            _inFrame = true;
            _timestamp = timestamp;
            _broken = false;
            _length = 0;
            Append(payload[offset..]);
        }
        else if (_inFrame && timestamp == _timestamp)
        {
            Append(payload[offset..]);
        }

        if (marker && _inFrame && timestamp == _timestamp)
        {
            var unit = Complete();
            if (completed is { } earlier)
            {
                ArrayPool<byte>.Shared.Return(earlier.Buffer);
            }

            return unit;
        }

        return completed;
    }

    /// <summary>Whether an RTP payload begins a keyframe (start of partition 0, and the frame tag's P bit clear).</summary>
    public static bool StartsKeyframe(ReadOnlySpan<byte> payload)
    {
        int offset = DescriptorLength(payload, out bool start);
        return start && offset >= 0 && offset < payload.Length && (payload[offset] & 1) == 0;
    }

    /// <summary>Width and height from a keyframe's header (RFC 6386 section 9.1), or (0, 0).</summary>
    public static (int Width, int Height) KeyframeSize(ReadOnlySpan<byte> frame) =>
        frame.Length >= 10 && (frame[0] & 1) == 0 && frame[3] == 0x9d && frame[4] == 0x01 && frame[5] == 0x2a
            ? ((frame[6] | (frame[7] << 8)) & 0x3FFF, (frame[8] | (frame[9] << 8)) & 0x3FFF)
            : (0, 0);

    /// <summary>The payload descriptor's length (-1 when truncated) and whether it starts partition 0 of a frame.</summary>
    private static int DescriptorLength(ReadOnlySpan<byte> payload, out bool start)
    {
        bool read = Vp8Descriptor.TryRead(payload, out var descriptor);
        start = read && descriptor.Start;
        return read ? descriptor.Length : -1;
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_broken || _length + data.Length > MaxFrame)
        {
            _broken = true;
            return;
        }

        if (_length + data.Length > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(MaxFrame, Math.Max(_buffer.Length * 2, _length + data.Length)));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private Vp8Frame? Complete()
    {
        Vp8Frame? frame = null;
        bool keyframe = _length > 0 && (_buffer[0] & 1) == 0;
        if (!_broken && _length > 0 && (keyframe || !_waitForKeyframe))
        {
            _waitForKeyframe = false;
            var buffer = ArrayPool<byte>.Shared.Rent(_length);
            _buffer.AsSpan(0, _length).CopyTo(buffer);
            frame = new Vp8Frame(buffer, _length, _timestamp, keyframe);
        }
        else if (_broken)
        {
            _waitForKeyframe = true;
        }

        _inFrame = false;
        _broken = false;
        _length = 0;
        return frame;
    }
}
