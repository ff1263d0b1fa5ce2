using System.Globalization;

namespace Stagecast.Testing;

/// <summary>What a process maps, and how much of it is resident, from /proc/PID/smaps.</summary>
public static class ProcessMaps
{
    /// <summary>The bytes resident in <paramref name="pid"/>'s mappings of files whose path contains <paramref name="file"/>.</summary>
    public static long Resident(int pid, string file) =>
        Mappings(pid).Where(m => m.Path.Contains(file, StringComparison.Ordinal)).Sum(m => m.Resident);

    /// <summary>Whether <paramref name="pid"/> maps a file whose path contains <paramref name="file"/> (a library it loaded).</summary>
    public static bool Maps(int pid, string file) => Mappings(pid).Any(m => m.Path.Contains(file, StringComparison.Ordinal));

    private static List<(string Path, long Resident)> Mappings(int pid)
    {
        var mappings = new List<(string Path, long Resident)>();
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            if (line.Length > 0 && (char.IsAsciiDigit(line[0]) || line[0] is >= 'a' and <= 'f')) // a mapping's header; fields are capitalised
            {
                string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                mappings.Add((fields.Length == 6 ? fields[5] : "", 0));
            }
            else if (mappings.Count > 0 && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                long kib = long.Parse(line.AsSpan(4).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                mappings[^1] = (mappings[^1].Path, kib * 1024);
            }
        }

        return mappings;
    }
}
