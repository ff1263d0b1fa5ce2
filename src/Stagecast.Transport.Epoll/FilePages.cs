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

        long released = 0;
        Mapping? mapping = null;
        foreach (string line in File.ReadAllLines("/proc/self/smaps"))
        {
            if (Mapping.TryParse(line) is { } next)
            {
                released += mapping?.Release(directories) ?? 0;
                mapping = next;
            }
            else if (mapping is not null && Field(line, "Rss:") is { } rss)
            {
                mapping.Resident = rss;
            }
            else if (mapping is not null && Field(line, "Anonymous:") is { } anonymous)
            {
                mapping.Private = anonymous;
            }
        }

        return released + (mapping?.Release(directories) ?? 0);
    }

    /// <summary>A size line of smaps ("Rss:   1234 kB") in bytes, when the line is that field.</summary>
    private static long? Field(string line, string name) =>
        line.StartsWith(name, StringComparison.Ordinal)
            ? long.Parse(line.AsSpan(name.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024
            : null;

    /// <summary>One mapping of smaps: its header line (start-end perms offset device inode path) and sizes.</summary>
    private sealed class Mapping(nint start, nint end, bool writable, string path)
    {
        public long Resident { get; set; }

        public long Private { get; set; } = -1;

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

        public long Release(IReadOnlyList<string> directories)
        {
            bool ours = directories.Any(directory => path.StartsWith(directory, StringComparison.Ordinal));
            if (writable || Private != 0 || Resident == 0 || !ours)
            {
                return 0;
            }

            return LinuxNative.Madvise(start, (nuint)(end - start), LinuxNative.MadvDontNeed) == 0 ? Resident : 0;
        }
    }
}
