using System.Globalization;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// Lets go of the pages of mapped files that only start-up touched. Starting maps most of the server's binary (the
/// kernel maps the pages around each one read, and start-up reads code, type data and the data the runtime rehydrates
/// once): 36 MiB of the release binary's 50 MB stayed resident in an idle server that uses a fraction of them.
/// madvise(2) with MADV_DONTNEED takes them out of the process; they stay in the page cache, shared with whoever maps
/// the file and the first memory the kernel takes back when it is short, and a page touched again is mapped again from
/// there. Only mappings the process cannot write and holds no private copy in are let go: a page written since it was
/// mapped (the binary's relocated data, made read-only afterwards) exists nowhere else, and letting go of it would
/// bring back the file's bytes in its place. MADV_PAGEOUT would free the cache too, but the kernel allows it only to
/// the file's owner, and an installed binary belongs to root.
/// </summary>
public static class FilePages
{
    /// <summary>
    /// Lets go of every mapping of a file under one of <paramref name="directories"/> that is read-only and has no
    /// private pages; returns how many resident bytes they held (0 off Linux).
    /// </summary>
    public static long Release(IReadOnlyList<string> directories)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        return Mappings(Environment.ProcessId)
            .Where(m => !m.Writable && m.Private == 0 && m.Resident > 0
                && directories.Any(directory => m.Path.StartsWith(directory, StringComparison.Ordinal)))
            .Sum(m => LinuxNative.Madvise(m.Start, (nuint)(m.End - m.Start), LinuxNative.MadvDontNeed) == 0 ? m.Resident : 0);
    }

    /// <summary>A process's mappings, from /proc/PID/smaps.</summary>
    public static List<Mapping> Mappings(int pid)
    {
        var mappings = new List<Mapping>();
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            if (Mapping.TryParse(line) is { } next)
            {
                mappings.Add(next);
            }
            else if (mappings.Count > 0 && Field(line, "Rss:") is { } rss)
            {
                mappings[^1] = mappings[^1] with { Resident = rss };
            }
            else if (mappings.Count > 0 && Field(line, "Anonymous:") is { } anonymous)
            {
                mappings[^1] = mappings[^1] with { Private = anonymous };
            }
        }

        return mappings;
    }

    /// <summary>A size line of smaps ("Rss:   1234 kB") in bytes, when the line is that field.</summary>
    private static long? Field(string line, string name) =>
        line.StartsWith(name, StringComparison.Ordinal)
            ? long.Parse(line.AsSpan(name.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024
            : null;

    /// <summary>
    /// One mapping: its addresses, whether it may be written, its file ("" for anonymous memory), its resident bytes
    /// and those of them that are the process's own (written copies, anonymous memory).
    /// </summary>
    public sealed record Mapping(nint Start, nint End, bool Writable, string Path, long Resident = 0, long Private = -1)
    {
        /// <summary>The mapping a header line of smaps (start-end perms offset device inode path) starts; null for a field line.</summary>
        public static Mapping? TryParse(string line)
        {
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            int dash = fields.Length < 5 ? -1 : fields[0].IndexOf('-', StringComparison.Ordinal);
            if (dash < 0 || fields[1].Length != 4
                || !long.TryParse(fields[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long start)
                || !long.TryParse(fields[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long end))
            {
                return null;
            }

            return new Mapping((nint)start, (nint)end, fields[1][1] == 'w', fields.Length == 6 ? fields[5] : "");
        }
    }
}
