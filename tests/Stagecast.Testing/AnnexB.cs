namespace Stagecast.Testing;

/// <summary>Splits Annex B elementary streams (start codes) into NAL units and access units.</summary>
public static class AnnexB
{
    public static List<byte[]> NalUnits(byte[] stream)
    {
        var starts = new List<(int Start, int CodeLength)>();
        for (int i = 0; i + 3 <= stream.Length; i++)
        {
            if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1)
            {
                bool four = i > 0 && stream[i - 1] == 0;
                starts.Add((four ? i - 1 : i, four ? 4 : 3));
                i += 2;
            }
        }

        var units = new List<byte[]>();
        for (int n = 0; n < starts.Count; n++)
        {
            int begin = starts[n].Start + starts[n].CodeLength;
            int end = n + 1 < starts.Count ? starts[n + 1].Start : stream.Length;
            units.Add(stream[begin..end]);
        }

        return units;
    }

    /// <summary>Groups HEVC NAL units into access units, each starting at an access unit delimiter (type 35).</summary>
    public static List<List<byte[]>> HevcAccessUnits(byte[] stream)
    {
        var units = new List<List<byte[]>>();
        foreach (byte[] nal in NalUnits(stream))
        {
            int type = (nal[0] >> 1) & 0x3F;
            if (type == 35 || units.Count == 0)
            {
                units.Add([]);
            }

            units[^1].Add(nal);
        }

        return units;
    }

    /// <summary>Length-prefixed (4 bytes) NAL units: the sample format of MP4 and FLV.</summary>
    public static byte[] ToLengthPrefixed(IEnumerable<byte[]> nals)
    {
        var output = new List<byte>();
        foreach (byte[] nal in nals)
        {
            output.Add((byte)(nal.Length >> 24));
            output.Add((byte)(nal.Length >> 16));
            output.Add((byte)(nal.Length >> 8));
            output.Add((byte)nal.Length);
            output.AddRange(nal);
        }

        return [.. output];
    }
}
