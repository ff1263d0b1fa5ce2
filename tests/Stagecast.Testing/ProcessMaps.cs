using Stagecast.Transport.Epoll;

namespace Stagecast.Testing;

/// <summary>What a process maps, and how much of it is resident (the server's own reading of /proc/PID/smaps).</summary>
public static class ProcessMaps
{
    /// <summary>The bytes resident in <paramref name="pid"/>'s mappings of files whose path contains <paramref name="file"/>.</summary>
    public static long Resident(int pid, string file) =>
        FilePages.Mappings(pid).Where(m => m.Path.Contains(file, StringComparison.Ordinal)).Sum(m => m.Resident);

    /// <summary>Whether <paramref name="pid"/> maps a file whose path contains <paramref name="file"/> (a library it loaded).</summary>
    public static bool Maps(int pid, string file) => FilePages.Mappings(pid).Any(m => m.Path.Contains(file, StringComparison.Ordinal));
}
