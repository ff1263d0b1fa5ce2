using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Stagecast.Media.Flv;
using Stagecast.Recording;
using Stagecast.Rtmp.Ingest;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Bench;

/// <summary>
/// <c>--scenario record</c>: what recording a stream costs. In process, as the server composes it: N streams of the
/// 720p clip (2.5 Mbit/s, B-frames, a keyframe a second, AAC) published into a hub in real time, first without a
/// recorder and then each with its <see cref="StreamRecorder"/>; the CPU of this process and of every child it started
/// (recorders' ffmpegs included, those that exited too: /proc's cutime and cstime) over the window, the difference per
/// stream being the recording's cost. Then each recording is finished (the file players get) and that is measured too.
/// One stream is recorded and finished first, unmeasured, so the JIT has compiled the recorder's paths.
/// </summary>
public sealed class RecordScenario(string repository)
{
    private static readonly PublisherInfo Source = new("bench", "127.0.0.1:1");

    public async Task<string> RunAsync(int[] counts, TimeSpan warmup, TimeSpan window)
    {
        string work = Path.Combine(repository, "bench", "results", "tmp");
        var tags = LoadTags(await Clips.EncodeAsync(work, Clips.Variants[0], bFrames: true));
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, warm-up {warmup.TotalSeconds} s, window {window.TotalSeconds} s, load average before: {LoadAverage()}.");
        report.AppendLine();
        report.AppendLine("| streams | CPU without recorders | with recorders | recording, % of a core per stream | of which ffmpeg | finishing, CPU s per recorded minute | finishing, wall s | a file's duration / media written |");
        report.AppendLine("|---|---|---|---|---|---|---|---|");
        Console.WriteLine("  warm-up …");
        await WarmUpAsync(tags, warmup, work);
        foreach (int count in counts)
        {
            Console.WriteLine($"  {count} stream(s) …");
            report.AppendLine(await MeasureAsync(tags, count, warmup, window, work));
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Load average after: {LoadAverage()}.");
        return report.ToString();
    }

    private static async Task<string> MeasureAsync(List<(FlvTagType Type, uint Timestamp, byte[] Body)> tags, int count, TimeSpan warmup, TimeSpan window, string work)
    {
        string directory = Path.Combine(work, $"record-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var hub = TestHub.Create();
        var publishers = Enumerable.Range(0, count).Select(i => hub.TryPublish($"s{i}", Source, out var p) == PublishResult.Started ? p! : throw new InvalidOperationException("not published")).ToList();
        using var stop = new CancellationTokenSource();
        var replay = Task.Run(() => ReplayAsync(publishers, tags, stop.Token));
        try
        {
            await Task.Delay(warmup);
            double without = await CpuOverAsync(window) / window.TotalSeconds * 100;

            var recorders = publishers.Select(p => new StreamRecorder(p.Stream, Path.Combine(directory, $"{p.Stream.Id}.mp4.part"), Path.Combine(directory, $"{p.Stream.Id}.vtt"))).ToList();
            recorders.ForEach(r => r.Start());
            await Task.Delay(warmup);
            double childrenBefore = ChildrenCpuSeconds();
            double with = await CpuOverAsync(window) / window.TotalSeconds * 100;
            double children = (ChildrenCpuSeconds() - childrenBefore) / window.TotalSeconds * 100;

            await stop.CancelAsync();
            await replay;
            double recordedSeconds = recorders.Sum(r => r.Seconds);
            double cpuBefore = TreeCpuSeconds();
            var clock = Stopwatch.StartNew();
            bool[] finished = await Task.WhenAll(recorders.Select(r => r.FinishAsync(Path.Combine(directory, Path.GetFileNameWithoutExtension(r.PartPath)))));
            double finishingWall = clock.Elapsed.TotalSeconds;
            double finishingCpu = TreeCpuSeconds() - cpuBefore;
            if (finished.Contains(false))
            {
                throw new InvalidOperationException($"a recording was not finished: {recorders.Select(r => r.Error).First(e => e is not null)}");
            }

            double fileSeconds = await DurationAsync(Path.Combine(directory, "s0.mp4"));
            double mediaSeconds = recorders[0].Seconds;
            foreach (var recorder in recorders)
            {
                await recorder.DisposeAsync();
            }

            return string.Create(CultureInfo.InvariantCulture,
                $"| {count} | {without:F1} % | {with:F1} % | {(with - without) / count:F2} % | {children / count:F2} % | {finishingCpu / (recordedSeconds / 60):F3} | {finishingWall:F2} | {fileSeconds:F2} / {mediaSeconds:F2} s |");
        }
        finally
        {
            await stop.CancelAsync();
            await replay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>One stream recorded and finished, not measured: the JIT compiles the recorder's paths before the first window.</summary>
    private static async Task WarmUpAsync(List<(FlvTagType Type, uint Timestamp, byte[] Body)> tags, TimeSpan warmup, string work)
    {
        string directory = Path.Combine(work, $"record-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var hub = TestHub.Create();
        hub.TryPublish("warm-up", Source, out var published);
        var publisher = published!;
        using var stop = new CancellationTokenSource();
        var replay = Task.Run(() => ReplayAsync([publisher], tags, stop.Token));
        await using (var recorder = new StreamRecorder(publisher.Stream, Path.Combine(directory, "warm-up.mp4.part"), Path.Combine(directory, "warm-up.vtt")))
        {
            recorder.Start();
            await Task.Delay(warmup * 2);
            await stop.CancelAsync();
            await replay;
            await recorder.FinishAsync(Path.Combine(directory, "warm-up.mp4"));
        }

        Directory.Delete(directory, recursive: true);
    }

    /// <summary>Every stream gets the clip's tags as they come due on one clock, looped (its configurations only the first time).</summary>
    private static async Task ReplayAsync(List<Publisher> publishers, List<(FlvTagType Type, uint Timestamp, byte[] Body)> tags, CancellationToken cancellationToken)
    {
        var ingests = publishers.Select(_ => new FlvIngest()).ToList();
        long loop = tags.Max(t => t.Timestamp) + 34;
        var clock = Stopwatch.StartNew();
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        int next = 0;
        long offset = 0;
        try
        {
            while (await ticker.WaitForNextTickAsync(cancellationToken))
            {
                long now = (long)clock.Elapsed.TotalMilliseconds;
                while (offset + tags[next].Timestamp <= now)
                {
                    var (type, timestamp, body) = tags[next];
                    bool configuration = body.Length > 1 && body[1] == 0 && type is FlvTagType.Video or FlvTagType.Audio;
                    if (type != FlvTagType.Script && (offset == 0 || !configuration))
                    {
                        for (int i = 0; i < publishers.Count; i++)
                        {
                            byte[] buffer = ArrayPool<byte>.Shared.Rent(body.Length);
                            body.CopyTo(buffer, 0);
                            bool taken = type == FlvTagType.Video
                                ? ingests[i].Video(publishers[i], offset + timestamp, buffer, body.Length)
                                : ingests[i].Audio(publishers[i], offset + timestamp, buffer, body.Length);
                            if (!taken)
                            {
                                ArrayPool<byte>.Shared.Return(buffer);
                            }
                        }
                    }

                    if (++next == tags.Count)
                    {
                        next = 0;
                        offset += loop;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static List<(FlvTagType Type, uint Timestamp, byte[] Body)> LoadTags(string file)
    {
        var buffer = new ReadOnlySequence<byte>(File.ReadAllBytes(file));
        FlvFileReader.TryReadHeader(ref buffer);
        var tags = new List<(FlvTagType, uint, byte[])>();
        while (FlvFileReader.TryReadTag(ref buffer, out var tag))
        {
            tags.Add((tag.Type, tag.Timestamp, tag.Data.ToArray()));
        }

        return tags;
    }

    private static async Task<double> CpuOverAsync(TimeSpan window)
    {
        double before = TreeCpuSeconds();
        await Task.Delay(window);
        return TreeCpuSeconds() - before;
    }

    /// <summary>This process, its running children, and the children it has reaped (cutime + cstime).</summary>
    private static double TreeCpuSeconds() => ProcessMeter.CpuSeconds(Environment.ProcessId) + ReapedChildrenCpuSeconds();

    private static double ChildrenCpuSeconds() => TreeCpuSeconds() - ProcessMeter.ProcessCpuSeconds(Environment.ProcessId);

    private static double ReapedChildrenCpuSeconds()
    {
        string text = File.ReadAllText("/proc/self/stat");
        string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0; // cutime, cstime
    }

    private static async Task<double> DurationAsync(string file)
    {
        var (exitCode, output, error) = await ExternalProcess.RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file], TimeSpan.FromSeconds(30));
        return exitCode == 0 ? double.Parse(output, CultureInfo.InvariantCulture) : throw new InvalidOperationException($"ffprobe failed: {error}");
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0..3].Aggregate((a, b) => $"{a} {b}");
}
