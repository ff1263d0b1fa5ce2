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
