using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Stagecast.Media.Amf0;

/// <summary>Writes AMF0 values to a buffer writer.</summary>
public readonly struct Amf0Writer(IBufferWriter<byte> output)
{
    public void WriteNumber(double value)
    {
        var span = output.GetSpan(9);
        span[0] = (byte)Amf0Marker.Number;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        output.Advance(9);
    }

    public void WriteBoolean(bool value)
    {
        var span = output.GetSpan(2);
        span[0] = (byte)Amf0Marker.Boolean;
        span[1] = value ? (byte)1 : (byte)0;
        output.Advance(2);
    }

    public void WriteNull() => WriteMarker(Amf0Marker.Null);

    public void WriteUndefined() => WriteMarker(Amf0Marker.Undefined);

    /// <summary>Writes a String (or LongString when longer than 65535 bytes) from UTF-8 bytes.</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > ushort.MaxValue)
        {
            var header = output.GetSpan(5);
            header[0] = (byte)Amf0Marker.LongString;
            BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)utf8.Length);
            output.Advance(5);
        }
        else
        {
            var header = output.GetSpan(3);
            header[0] = (byte)Amf0Marker.String;
            BinaryPrimitives.WriteUInt16BigEndian(header[1..], (ushort)utf8.Length);
            output.Advance(3);
        }

        output.Write(utf8);
    }

    public void WriteString(string value) => WriteString(Encoding.UTF8.GetBytes(value));

    public void WriteObject(AmfObject value)
    {
        if (value.IsEcmaArray)
        {
            var header = output.GetSpan(5);
            header[0] = (byte)Amf0Marker.EcmaArray;
            BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)value.Count);
            output.Advance(5);
        }
        else
        {
            WriteMarker(Amf0Marker.Object);
        }

        foreach (var (key, item) in value)
        {
            WritePropertyName(key);
            WriteValue(item);
        }

        var end = output.GetSpan(3);
        end[0] = 0;
        end[1] = 0;
        end[2] = (byte)Amf0Marker.ObjectEnd;
        output.Advance(3);
    }

    public void WriteStrictArray(IReadOnlyList<object?> items)
    {
        var header = output.GetSpan(5);
        header[0] = (byte)Amf0Marker.StrictArray;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)items.Count);
        output.Advance(5);
        foreach (object? item in items)
        {
            WriteValue(item);
        }
    }

    public void WriteDate(DateTimeOffset value)
    {
        var span = output.GetSpan(11);
        span[0] = (byte)Amf0Marker.Date;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value.ToUnixTimeMilliseconds());
        span[9] = 0;
        span[10] = 0;
        output.Advance(11);
    }

    public void WriteValue(object? value)
    {
        switch (value)
        {
            case null:
                WriteNull();
                break;
            case AmfUndefined:
                WriteUndefined();
                break;
            case double d:
                WriteNumber(d);
                break;
            case int i:
                WriteNumber(i);
                break;
            case long l:
                WriteNumber(l);
                break;
            case bool b:
                WriteBoolean(b);
                break;
            case string s:
                WriteString(s);
                break;
            case AmfObject o:
                WriteObject(o);
                break;
            case object?[] array:
                WriteStrictArray(array);
                break;
            case DateTimeOffset date:
                WriteDate(date);
                break;
            default:
                throw new ArgumentException($"type {value.GetType().Name} has no AMF0 encoding", nameof(value));
        }
    }

    private void WritePropertyName(string key)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(key);
        if (bytes.Length > ushort.MaxValue)
        {
            throw new ArgumentException("AMF0 property names are limited to 65535 bytes", nameof(key));
        }

        var span = output.GetSpan(2);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)bytes.Length);
        output.Advance(2);
        output.Write(bytes);
    }

    private void WriteMarker(Amf0Marker marker)
    {
        output.GetSpan(1)[0] = (byte)marker;
        output.Advance(1);
    }
}
