using System.Buffers.Binary;
using System.Text;

namespace Stagecast.Media.Amf0;

/// <summary>
/// Reads AMF0 values from a complete message body. Running out of bytes, an unknown marker or a value
/// above <see cref="MediaLimits"/> throws <see cref="MediaFormatException"/>.
/// </summary>
public ref struct Amf0Reader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool IsAtEnd => _position >= _data.Length;

    public readonly int Position => _position;

    public object? ReadValue() => ReadValue(0);

    /// <summary>Reads a String or LongString value and returns its UTF-8 bytes without decoding them.</summary>
    public ReadOnlySpan<byte> ReadStringBytes()
    {
        var marker = (Amf0Marker)ReadByte();
        return marker switch
        {
            Amf0Marker.String => Take(ReadUInt16()),
            Amf0Marker.LongString => Take(ReadLongLength()),
            _ => ThrowHelper.Malformed<byte[]>($"AMF0 string expected, found marker 0x{(byte)marker:X2}"),
        };
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadStringBytes());

    public double ReadNumber()
    {
        var marker = (Amf0Marker)ReadByte();
        if (marker != Amf0Marker.Number)
        {
            ThrowHelper.Malformed($"AMF0 number expected, found marker 0x{(byte)marker:X2}");
        }

        return BinaryPrimitives.ReadDoubleBigEndian(Take(8));
    }

    private object? ReadValue(int depth)
    {
        if (depth > MediaLimits.MaxAmfDepth)
        {
            ThrowHelper.Malformed($"AMF0 nesting deeper than {MediaLimits.MaxAmfDepth}");
        }

        var marker = (Amf0Marker)ReadByte();
        switch (marker)
        {
            case Amf0Marker.Number:
                return BinaryPrimitives.ReadDoubleBigEndian(Take(8));
            case Amf0Marker.Boolean:
                return ReadByte() != 0;
            case Amf0Marker.String:
                return Encoding.UTF8.GetString(Take(ReadUInt16()));
            case Amf0Marker.LongString:
            case Amf0Marker.XmlDocument:
                return Encoding.UTF8.GetString(Take(ReadLongLength()));
            case Amf0Marker.Object:
                return ReadProperties(new AmfObject(), depth);
            case Amf0Marker.TypedObject:
                Take(ReadUInt16()); // class name, not needed
                return ReadProperties(new AmfObject(), depth);
            case Amf0Marker.EcmaArray:
                ReadUInt32(); // advisory count; the object-end marker terminates the list
                return ReadProperties(new AmfObject(isEcmaArray: true), depth);
            case Amf0Marker.StrictArray:
                return ReadStrictArray(depth);
            case Amf0Marker.Date:
                double milliseconds = BinaryPrimitives.ReadDoubleBigEndian(Take(8));
                Take(2); // time zone, reserved and always zero
                return ToDate(milliseconds);
            case Amf0Marker.Null:
            case Amf0Marker.Unsupported:
                return null;
            case Amf0Marker.Undefined:
                return AmfUndefined.Value;
            case Amf0Marker.Reference:
                Take(2); // references to earlier complex values are not resolved
                return null;
            default:
                return ThrowHelper.Malformed<object>($"unsupported AMF0 marker 0x{(byte)marker:X2}");
        }
    }

    private AmfObject ReadProperties(AmfObject target, int depth)
    {
        while (true)
        {
            int keyLength = ReadUInt16();
            if (keyLength == 0 && _position < _data.Length && _data[_position] == (byte)Amf0Marker.ObjectEnd)
            {
                _position++;
                return target;
            }

            if (target.Count >= MediaLimits.MaxAmfProperties)
            {
                ThrowHelper.Malformed($"AMF0 object with more than {MediaLimits.MaxAmfProperties} properties");
            }

            string key = Encoding.UTF8.GetString(Take(keyLength));
            target[key] = ReadValue(depth + 1);
        }
    }

    private object?[] ReadStrictArray(int depth)
    {
        uint count = ReadUInt32();
        if (count > MediaLimits.MaxAmfArrayLength)
        {
            ThrowHelper.Malformed($"AMF0 strict array of {count} elements exceeds {MediaLimits.MaxAmfArrayLength}");
        }

        var items = new object?[count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = ReadValue(depth + 1);
        }

        return items;
    }

    private static DateTimeOffset ToDate(double milliseconds)
    {
        if (double.IsNaN(milliseconds) || milliseconds < -62135596800000d || milliseconds > 253402300799999d)
        {
            ThrowHelper.Malformed("AMF0 date out of range");
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
    }

    private int ReadLongLength()
    {
        uint length = ReadUInt32();
        if (length > (uint)(_data.Length - _position))
        {
            ThrowHelper.Malformed($"AMF0 long string of {length} bytes exceeds the message");
        }

        return (int)length;
    }

    private byte ReadByte() => Take(1)[0];

    private ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    private uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
        {
            ThrowHelper.Malformed($"AMF0 value truncated: {count} bytes needed at offset {_position}, {_data.Length - _position} left");
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
