using System.Buffers.Binary;
using System.Text;

namespace Stagecast.Testing;

/// <summary>A minimal ISO BMFF box walker for assertions: type, payload, children.</summary>
public sealed record Box(string Type, byte[] Payload, IReadOnlyList<Box> Children)
{
    private static readonly HashSet<string> Containers = ["moov", "trak", "mdia", "minf", "stbl", "dinf", "mvex", "moof", "traf"];

    public static IReadOnlyList<Box> Parse(ReadOnlySpan<byte> data)
    {
        var boxes = new List<Box>();
        while (data.Length >= 8)
        {
            int size = (int)BinaryPrimitives.ReadUInt32BigEndian(data);
            string type = Encoding.ASCII.GetString(data.Slice(4, 4));
            if (size < 8 || size > data.Length)
            {
                throw new FormatException($"box {type} has size {size} with {data.Length} bytes left");
            }

            var payload = data[8..size];
            var children = Containers.Contains(type) ? Parse(payload) : ParseSampleEntry(type, payload);
            boxes.Add(new Box(type, payload.ToArray(), children));
            data = data[size..];
        }

        if (data.Length != 0)
        {
            throw new FormatException($"{data.Length} trailing bytes");
        }

        return boxes;
    }

    public Box Child(string path)
    {
        var box = this;
        foreach (string type in path.Split('/'))
        {
            box = box.Children.Single(c => c.Type == type);
        }

        return box;
    }

    public static Box Find(IReadOnlyList<Box> boxes, string path)
    {
        string[] types = path.Split('/', 2);
        var first = boxes.Single(b => b.Type == types[0]);
        return types.Length == 1 ? first : first.Child(types[1]);
    }

    public uint UInt32At(int offset) => BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(offset));

    public ushort UInt16At(int offset) => BinaryPrimitives.ReadUInt16BigEndian(Payload.AsSpan(offset));

    /// <summary>The decode time (tfdt, version 1) of a fragment's first track (the video's, as Stagecast writes them).</summary>
    public static ulong FirstTrackDecodeTime(ReadOnlySpan<byte> fragment)
    {
        var tfdt = Parse(fragment).First(b => b.Type == "moof").Children.First(b => b.Type == "traf").Child("tfdt");
        return BinaryPrimitives.ReadUInt64BigEndian(tfdt.Payload.AsSpan(4));
    }

    private static IReadOnlyList<Box> ParseSampleEntry(string type, ReadOnlySpan<byte> payload) => type switch
    {
        "stsd" => Parse(payload[8..]),
        "avc1" or "hvc1" or "av01" => Parse(payload[78..]),
        "mp4a" => Parse(payload[28..]),
        _ => [],
    };
}
