using System.Buffers;
using System.Buffers.Binary;

namespace Stagecast.Media.Codecs.H264;

/// <summary>An access unit put together from RTP: AVCC (4-byte lengths) in a pooled buffer the receiver now owns.</summary>
public readonly record struct H264AccessUnit(byte[] Buffer, int Length, uint RtpTimestamp, bool IsKeyframe);

/// <summary>
/// Reassembles H.264 access units from RTP payloads in packetization mode 1 (RFC 6184): single NAL unit packets,
/// STAP-A (section 5.7.1) and FU-A (section 5.8). An access unit ends at the marker bit or a new timestamp. SPS and
/// PPS are taken out of the stream and kept in <see cref="Sps"/>/<see cref="Pps"/> (the decoder configuration);
/// AUDs and filler are dropped. After a loss, everything is dropped until the next IDR picture.
/// </summary>
public sealed class H264RtpDepacketizer
{
    private const int MaxAccessUnit = MediaLimits.MaxMediaMessageSize;
    private const int MaxNalsPerAccessUnit = 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _length;
    private int _nalCount;
    private int _fuStart = -1;
    private uint _timestamp;
    private bool _hasUnit;
    private bool _keyframe;
    private bool _broken;
    private bool _waitForKeyframe = true;

    public byte[]? Sps { get; private set; }

    public byte[]? Pps { get; private set; }

    /// <summary>Set when SPS or PPS changed since it was last cleared.</summary>
    public bool ParameterSetsChanged { get; set; }

    /// <summary>True while access units are dropped waiting for an IDR picture (a reason to ask for one with PLI).</summary>
    public bool WaitingForKeyframe => _waitForKeyframe;

    /// <summary>
    /// Whether an RTP payload begins a keyframe: an SPS or IDR NAL unit alone, in a STAP-A, or starting an FU-A. A
    /// forwarded stream's new viewer starts there.
    /// </summary>
    public static bool StartsKeyframe(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return false;
        }

        int type = payload[0] & 0x1F;
        switch (type)
        {
            case 5 or 7:
                return true;
            case 24:
                var rest = payload[1..];
                while (rest.Length > 2)
                {
                    int size = BinaryPrimitives.ReadUInt16BigEndian(rest);
                    if (size == 0 || size > rest.Length - 2)
                    {
                        return false;
                    }

                    if ((rest[2] & 0x1F) is 5 or 7)
                    {
                        return true;
                    }

                    rest = rest[(2 + size)..];
                }

                return false;
            case 28:
                return payload.Length > 1 && (payload[1] & 0x80) != 0 && (payload[1] & 0x1F) is 5 or 7;
            default:
                return false;
        }
    }

    /// <summary>
    /// Packets lost before the next one: the access unit in progress is dropped, and so is all up to an IDR. With none in
    /// progress (the loss came after a unit's last packet) the next unit is whole if its packets are: the IDR asked for
    /// after the loss is not thrown away with it.
    /// </summary>
    public void Discontinuity()
    {
        _broken = _hasUnit;
        _waitForKeyframe = true;
        _fuStart = -1;
    }

    /// <summary>Adds one packet's payload; returns a completed access unit when this packet ends one.</summary>
    public H264AccessUnit? Push(ReadOnlySpan<byte> payload, uint timestamp, bool marker)
    {
        H264AccessUnit? completed = null;
        if (_hasUnit && timestamp != _timestamp)
        {
            completed = Complete(); // the previous unit's last packet (with the marker) was lost
        }

        if (!_hasUnit)
        {
            _hasUnit = true;
            _timestamp = timestamp;
        }

        if (!payload.IsEmpty && !_broken)
        {
            AddPayload(payload);
        }

        if (marker)
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

    private void AddPayload(ReadOnlySpan<byte> payload)
    {
        int type = payload[0] & 0x1F;
        switch (type)
        {
            case >= 1 and <= 23:
                AddNal(payload);
                break;
            case 24: // STAP-A: [header][size16][nal]...
                var rest = payload[1..];
                while (rest.Length >= 2 && !_broken)
                {
                    int size = BinaryPrimitives.ReadUInt16BigEndian(rest);
                    if (size == 0 || size > rest.Length - 2)
                    {
                        Broken();
                        return;
                    }

                    AddNal(rest.Slice(2, size));
                    rest = rest[(2 + size)..];
                }

                break;
            case 28: // FU-A: [indicator][S E R type][fragment]
                if (payload.Length < 3)
                {
                    Broken();
                    return;
                }

                bool start = (payload[1] & 0x80) != 0;
                bool end = (payload[1] & 0x40) != 0;
                if (start)
                {
                    _fuStart = BeginNal();
                    if (_fuStart < 0)
                    {
                        return;
                    }

                    Append([(byte)((payload[0] & 0xE0) | (payload[1] & 0x1F))]);
                }
                else if (_fuStart < 0)
                {
                    Broken(); // a middle fragment without its start
                    return;
                }

                Append(payload[2..]);
                if (end && !_broken)
                {
                    EndNal(_fuStart);
                    _fuStart = -1;
                }

                break;
            default:
                Broken(); // STAP-B, MTAP, FU-B: interleaved mode, not negotiated
                break;
        }
    }

    private void AddNal(ReadOnlySpan<byte> nal)
    {
        int at = BeginNal();
        if (at >= 0)
        {
            Append(nal);
            EndNal(at);
        }
    }

    /// <summary>Reserves the 4-byte length of a NAL unit; -1 when the unit is too large or has too many NALs.</summary>
    private int BeginNal()
    {
        if (++_nalCount > MaxNalsPerAccessUnit)
        {
            Broken();
            return -1;
        }

        int at = _length;
        Append([0, 0, 0, 0]);
        return _broken ? -1 : at;
    }

    private void EndNal(int at)
    {
        var nal = _buffer.AsSpan(at + 4, _length - at - 4);
        if (nal.IsEmpty)
        {
            _length = at;
            return;
        }

        int type = nal[0] & 0x1F;
        switch (type)
        {
            case 7:
                ParameterSetsChanged |= Sps is null || !nal.SequenceEqual(Sps);
                Sps = nal.Length <= MediaLimits.MaxParameterSetSize ? nal.ToArray() : Sps;
                _length = at;
                return;
            case 8:
                ParameterSetsChanged |= Pps is null || !nal.SequenceEqual(Pps);
                Pps = nal.Length <= MediaLimits.MaxParameterSetSize ? nal.ToArray() : Pps;
                _length = at;
                return;
            case 9 or 12: // access unit delimiter, filler
                _length = at;
                return;
            case 5:
                _keyframe = true;
                break;
        }

        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(at), nal.Length);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length > MaxAccessUnit)
        {
            Broken();
            return;
        }

        if (_length + data.Length > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(MaxAccessUnit, Math.Max(_buffer.Length * 2, _length + data.Length)));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private void Broken()
    {
        _broken = true;
        _waitForKeyframe = true;
    }

    private H264AccessUnit? Complete()
    {
        H264AccessUnit? unit = null;
        bool usable = !_broken && _fuStart < 0 && _length > 0 && (_keyframe || !_waitForKeyframe) && Sps is not null && Pps is not null;
        if (usable)
        {
            _waitForKeyframe = false;
            var buffer = ArrayPool<byte>.Shared.Rent(_length);
            _buffer.AsSpan(0, _length).CopyTo(buffer);
            unit = new H264AccessUnit(buffer, _length, _timestamp, _keyframe);
        }

        _length = 0;
        _nalCount = 0;
        _fuStart = -1;
        _hasUnit = false;
        _keyframe = false;
        _broken = false;
        return unit;
    }
}
