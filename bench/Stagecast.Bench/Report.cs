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
        text.AppendLine(CultureInfo.InvariantCulture, $"Servers: {string.Join("; ", results.Select(r => $"{r.Server} ({r.Configuration})"))}, started together. Idle: {settings.IdleSettle.TotalSeconds} s to settle, then {settings.IdleWindow.TotalSeconds} s, before any connection. "
            + $"Loads: server warm-up {settings.ServerWarmup.TotalSeconds} s, then {settings.Rounds} rounds in which the servers take turns, each turn a {settings.Warmup.TotalSeconds} s warm-up and a {settings.Window.TotalSeconds} s window"
            + $"{(settings.FewStreamsWindow != settings.Window ? $" ({settings.FewStreamsWindow.TotalSeconds} s below 50 streams)" : "")}; "
            + $"CPU is the rounds' median (lowest–highest in brackets), memory per stream is resident memory (+ HLS files in tmpfs) at that load less the idle figure, over the streams. "
            + $"Live edge, throughput and ramp ({settings.RampWindow.TotalSeconds} s per step): {string.Join(" and ", results.Where(r => !r.LoadOnly).Select(r => r.Server))}.");
        text.AppendLine();

        // The ratios: each of Stagecast's builds against nginx-rtmp, when both ran.
        var reference = results.FirstOrDefault(r => r.Server == "nginx-rtmp");
        var compared = reference is null ? [] : results.Where(r => r != reference).ToList();
        text.Append("| Metric |");
        foreach (var result in results)
        {
            text.Append(CultureInfo.InvariantCulture, $" {result.Server} |");
        }

        text.AppendLine(string.Concat(compared.Select(r => $" {r.Server} / nginx |")));
        text.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", results.Count + compared.Count)));

        void Row(string metric, Func<ServerResults, double?> value, string format, Func<ServerResults, string>? note = null)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {metric} |");
            foreach (var result in results)
            {
                text.Append(CultureInfo.InvariantCulture, $" {Format(value(result), format)}{note?.Invoke(result)} |");
            }

            // No ratio to a reference shown as zero (nginx-rtmp idle: 0.004 % of a core made 0.17 % "45.89" times it).
            foreach (var result in compared)
            {
                text.Append(CultureInfo.InvariantCulture, $" {(value(result) is { } a && value(reference!) is { } b && Format(b, format) != Format(0, format) && !double.IsNaN(a) && !double.IsNaN(b) ? (a / b).ToString("F2", CultureInfo.InvariantCulture) : "–")} |");
            }

            text.AppendLine();
        }

        Row("Idle CPU, % of one core (nothing ever connected)", r => r.Idle?.CpuPercent, "F2");
        Row("Idle resident memory, MiB", r => r.Idle?.RssMiB, "F0");
        foreach (var (variant, count) in results[0].Loads.Select(l => (l.Variant, l.Publishers)).Distinct())
        {
            Row($"CPU s per stream per minute, {variant}, {count} publishers", r => Median(r.Cpu(variant, count)), "F3",
                r => r.Cpu(variant, count) is [var low, .., var high] ? $" ({low.ToString("F3", CultureInfo.InvariantCulture)}–{high.ToString("F3", CultureInfo.InvariantCulture)})" : "");
        }

        Row("CPU s per stream per minute at each server's largest healthy count (machine saturated)", r => r.LargestHealthy?.CpuSecondsPerStreamPerMinute, "F3");
        foreach (var variant in results[0].Loads.Select(l => l.Variant).Distinct())
        {
            int count = results[0].Loads.Where(l => l.Variant == variant).Max(l => l.Publishers);
            Row($"Memory per live stream beyond idle, MiB ({variant}, {count} streams)", r => r.MemoryPerStreamBeyondIdle(variant, count), "F2");
        }

        Row("Most concurrent publishers held (360p 600 kbps, no drops, stable edge)", r => r.LargestHealthy?.Publishers, "F0");
        Row("Live-edge delay p50, ms (last frame in → listed)", r => r.LoadOnly ? null : r.Edge.DelayP50Ms, "F1");
        Row("Live-edge delay p95, ms", r => r.LoadOnly ? null : r.Edge.DelayP95Ms, "F1");
        Row("Publish start → first playable playlist p50, ms", r => r.LoadOnly ? null : r.Edge.FirstPlayableP50Ms, "F0");
        Row("Publish start → first playable playlist p95, ms", r => r.LoadOnly ? null : r.Edge.FirstPlayableP95Ms, "F0");
        var measured = results.Where(r => !r.LoadOnly).ToList();
        for (int i = 0; i < measured.Select(r => r.Throughput.Count).DefaultIfEmpty(0).Max(); i++)
        {
            int index = i;
            ThroughputResult? At(ServerResults r) => r.Throughput.ElementAtOrDefault(index);
            string label = string.Join(" / ", measured.Select(r => At(r)?.Label).OfType<string>().Distinct());
            Row($"{label}: requests/s answered 2xx", r => At(r)?.RequestsPerSecond, "F0", r => At(r) is { Errors: > 0 } t ? $" ({t.Errors} not answered 2xx)" : "");
            Row($"{label}: MB/s", r => At(r)?.MegabytesPerSecond, "F1");
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

    private static string Format(double? value, string format) =>
        value is { } x && !double.IsNaN(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static double? Median(List<double> sorted) => sorted.Count == 0 ? null : sorted[sorted.Count / 2];

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
