using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Stagecast.Bench;

/// <summary>The comparison table, with machine facts; written to results/ and into bench/README.md.</summary>
public static class Report
{
    private const string Start = "<!-- results:start -->";
    private const string End = "<!-- results:end -->";

    public static string Render(IReadOnlyList<ServerResults> results, BenchSettings settings, bool quick, string[] arguments)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{(quick ? " (quick smoke run: short windows, not comparable)" : "")}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine()}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `bench/run.sh{(arguments.Length > 0 ? " " + string.Join(' ', arguments) : "")}`.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Servers: {string.Join("; ", results.Select(r => $"{r.Server} ({r.Configuration})"))}. Windows: server warm-up {settings.ServerWarmup.TotalSeconds} s, then per measurement warm-up {settings.Warmup.TotalSeconds} s, measure {settings.Window.TotalSeconds} s (ramp {settings.RampWindow.TotalSeconds} s per step).");
        text.AppendLine();
        text.Append("| Metric |");
        foreach (var result in results)
        {
            text.Append(CultureInfo.InvariantCulture, $" {result.Server} |");
        }

        text.AppendLine(results.Count == 2 ? " Stagecast / nginx |" : "");
        text.Append("|---|");
        text.AppendLine(string.Concat(Enumerable.Repeat("---|", results.Count + (results.Count == 2 ? 1 : 0))));

        if (results.Any(r => r.Loads.Count == 0 || r.Throughput.Count == 0 || r.Ramp.Count == 0))
        {
            return text.AppendLine("(partial run: see the console output)").ToString();
        }

        foreach (var (variant, count) in results[0].Loads.Select(l => (l.Variant, l.Publishers)))
        {
            Row(text, $"CPU s per stream per minute, {variant}, {count} publishers", results,
                r => r.Loads.FirstOrDefault(l => l.Variant == variant && l.Publishers == count)?.CpuSecondsPerStreamPerMinute, "F3");
        }

        Row(text, "CPU s per stream per minute at each server's largest healthy count (machine saturated)", results, r => r.LargestHealthy?.CpuSecondsPerStreamPerMinute, "F3");
        foreach (var variant in results[0].Loads.Select(l => l.Variant).Distinct())
        {
            int count = results[0].Loads.Where(l => l.Variant == variant).Max(l => l.Publishers);
            Row(text, $"Memory per live stream, MiB ({variant}, {count} streams; resident + HLS files in tmpfs)", results,
                r => r.Loads.FirstOrDefault(l => l.Variant == variant && l.Publishers == count)?.MemoryPerStreamBytes / 1048576.0, "F2");
        }

        Row(text, "Most concurrent publishers held (360p 600 kbps, no drops, stable edge)", results, r => r.LargestHealthy?.Publishers, "F0");
        Row(text, "Live-edge delay p50, ms (last frame in → listed)", results, r => r.Edge.DelayP50Ms, "F1");
        Row(text, "Live-edge delay p95, ms", results, r => r.Edge.DelayP95Ms, "F1");
        Row(text, "Publish start → first playable playlist p50, ms", results, r => r.Edge.FirstPlayableP50Ms, "F0");
        Row(text, "Publish start → first playable playlist p95, ms", results, r => r.Edge.FirstPlayableP95Ms, "F0");
        for (int i = 0; i < results[0].Throughput.Count; i++)
        {
            int index = i;
            string label = string.Join(" / ", results.Select(r => r.Throughput[index].Label).Distinct());
            Row(text, $"{label}: requests/s", results, r => r.Throughput[index].RequestsPerSecond, "F0");
            Row(text, $"{label}: MB/s", results, r => r.Throughput[index].MegabytesPerSecond, "F1");
        }

        text.AppendLine();
        text.AppendLine("Ramp steps (360p 600 kbps):");
        text.AppendLine();
        foreach (var result in results)
        {
            foreach (var step in result.Ramp)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {result.Server}, {step.Publishers} publishers: {step.Summary}");
            }
        }

        return text.ToString();
    }

    public static void UpdateReadme(string readme, string report)
    {
        string text = File.Exists(readme) ? File.ReadAllText(readme) : $"# Benchmarks\n\n{Start}\n{End}\n";
        int start = text.IndexOf(Start, StringComparison.Ordinal);
        int end = text.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            text += $"\n{Start}\n{End}\n";
            start = text.IndexOf(Start, StringComparison.Ordinal);
            end = text.IndexOf(End, StringComparison.Ordinal);
        }

        File.WriteAllText(readme, text[..(start + Start.Length)] + "\n" + report + text[end..]);
    }

    private static void Row(StringBuilder text, string metric, IReadOnlyList<ServerResults> results, Func<ServerResults, double?> value, string format)
    {
        text.Append(CultureInfo.InvariantCulture, $"| {metric} |");
        var values = results.Select(value).ToList();
        foreach (var v in values)
        {
            text.Append(CultureInfo.InvariantCulture, $" {(v is { } x && !double.IsNaN(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "–")} |");
        }

        if (values.Count == 2)
        {
            text.Append(CultureInfo.InvariantCulture, $" {(values[0] is { } a && values[1] is { } b && b != 0 && !double.IsNaN(a) && !double.IsNaN(b) ? (a / b).ToString("F2", CultureInfo.InvariantCulture) : "–")} |");
        }

        text.AppendLine();
    }

    private static string Machine()
    {
        string cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?";
        long memory = long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return $"{Environment.ProcessorCount} cores ({cpu}), {memory / 1048576.0:F0} GiB, Linux {Environment.OSVersion.Version}, .NET {Environment.Version}, {Tool("nginx", "-v")}, {Tool("ffmpeg", "-version")}";
    }

    private static string Tool(string file, string argument)
    {
        try
        {
            var info = new ProcessStartInfo(file, argument) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output.Split('\n')[0].Replace("nginx version: ", "").Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"{file} missing";
        }
    }
}
