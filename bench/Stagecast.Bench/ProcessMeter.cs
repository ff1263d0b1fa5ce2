using System.Globalization;

namespace Stagecast.Bench;

/// <summary>CPU time and resident memory of a process and its children, from /proc.</summary>
public static class ProcessMeter
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>User + system CPU seconds of the process tree.</summary>
    public static double CpuSeconds(int rootPid) => Tree(rootPid).Sum(ProcessCpuSeconds);

    /// <summary>User + system CPU seconds of one process (not its children); 0 once it has gone.</summary>
    public static double ProcessCpuSeconds(int pid) => Stat(pid) is { } f ? (long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture)) / TicksPerSecond : 0;

    /// <summary>CPU seconds of each process of the tree, with what it is: the root is <c>server</c>, the others what <paramref name="kind"/> makes of their command line.</summary>
    public static Dictionary<int, (string Kind, double Seconds)> CpuSecondsByProcess(int rootPid, Func<string, string> kind) =>
        Tree(rootPid).ToDictionary(pid => pid, pid => (pid == rootPid ? "server" : kind(CommandLine(pid)), ProcessCpuSeconds(pid)));

    /// <summary>
    /// CPU seconds spent between two samples, by kind: a process in both counts its difference, one started in
    /// between all of its time (one that ended in between is lost: short-lived children only).
    /// </summary>
    public static Dictionary<string, double> CpuSecondsSpent(Dictionary<int, (string Kind, double Seconds)> before, Dictionary<int, (string Kind, double Seconds)> after)
    {
        var spent = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (pid, (kind, seconds)) in after)
        {
            spent[kind] = spent.GetValueOrDefault(kind) + seconds - (before.TryGetValue(pid, out var earlier) ? earlier.Seconds : 0);
        }

        return spent;
    }

    /// <summary>Resident set size of the process tree, in bytes.</summary>
    public static long ResidentBytes(int rootPid) => Tree(rootPid).Sum(ProcessResidentBytes);

    /// <summary>Resident set size of one process (not its children), in bytes; 0 once it has gone.</summary>
    public static long ProcessResidentBytes(int pid)
    {
        string path = $"/proc/{pid}/status";
        if (!File.Exists(path))
        {
            return 0L;
        }

        string? line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The process and its descendants.</summary>
    public static IEnumerable<int> Tree(int rootPid)
    {
        var all = Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsDigit)).Select(n => int.Parse(n!, CultureInfo.InvariantCulture)).ToList();
        var tree = new HashSet<int> { rootPid };
        bool grew = true;
        while (grew)
        {
            grew = false;
            foreach (int pid in all)
            {
                if (!tree.Contains(pid) && Stat(pid) is { } fields && tree.Contains(int.Parse(fields[3], CultureInfo.InvariantCulture)))
                {
                    tree.Add(pid);
                    grew = true;
                }
            }
        }

        return tree;
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The fields of /proc/PID/stat after the command name (field 1 is the state).</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            string text = File.ReadAllText($"/proc/{pid}/stat");
            string afterName = text[(text.LastIndexOf(')') + 2)..];
            return ["", "", .. afterName.Split(' ')];
        }
        catch (IOException)
        {
            return null;
        }
    }
}
