using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.FfmpegProcesses;
using Stagecast.Streaming;
using Stagecast.Streaming.Renditions;
using Stagecast.Testing;
using Stagecast.Transcoding;
using Stagecast.Transcoding.Encoders;

namespace Stagecast.Bench;

/// <summary>
/// <c>--scenario transcode</c>: what a livestream's ladder costs. In process, as the server composes it: the 720p
/// clip (2.5 Mbit/s, no B-frames, a keyframe a second, AAC) published into a hub in real time by ffmpeg, and the
/// transcoders making its 480p and 360p with each x264 preset asked for. Measured over the window: the transcoder's
/// ffmpeg CPU, this process's (the source's ingest, the transcoder's reading and writing), and each rendition's
/// added delay, from a source frame's arrival in the hub to the arrival of the rendition frame at the same time.
/// Before that, offline (<c>-benchmark</c>, 20 s of the clip as fast as it goes): one ffmpeg for both encodes against
/// one ffmpeg per encode, the choice the transcoder makes.
/// </summary>
public sealed class TranscodeScenario(string repository)
{
    private static readonly string[] Ladder = ["480p", "360p"];

    public async Task<string> RunAsync(string[] presets, TimeSpan warmup, TimeSpan window)
    {
        string clip = await Clips.EncodeAsync(Path.Combine(repository, "bench", "results", "tmp"), Clips.Variants[0], bFrames: false);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, warm-up {warmup.TotalSeconds} s, window {window.TotalSeconds} s, load average before: {LoadAverage()}.");
        report.AppendLine();
        report.AppendLine("| offline, 20 s of 720p, x264 veryfast | CPU s | % of a core per stream |");
        report.AppendLine("|---|---|---|");
        double together = await OfflineAsync(clip, ["480p", "360p"]);
        double apart = await OfflineAsync(clip, ["480p"]) + await OfflineAsync(clip, ["360p"]);
        report.AppendLine(CultureInfo.InvariantCulture, $"| one ffmpeg: one decode, both encodes | {together:F1} | {together / 20 * 100:F0} % |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| one ffmpeg per encode: two decodes | {apart:F1} | {apart / 20 * 100:F0} % |");
        report.AppendLine();
        report.AppendLine("| preset | transcoder ffmpeg CPU | this process | 480p delay p50 / p95 | 360p delay p50 / p95 | rendition frames / source frames | states at the end |");
        report.AppendLine("|---|---|---|---|---|---|---|");
        foreach (string preset in presets)
        {
            Console.WriteLine($"  live, {preset} …");
            report.AppendLine(await LiveAsync(clip, preset, warmup, window));
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Load average after: {LoadAverage()}.");
        return report.ToString();
    }

    private static async Task<string> LiveAsync(string clip, string preset, TimeSpan warmup, TimeSpan window)
    {
        var options = Options.Create(new TranscodeOptions { Preset = preset });
        using var ffmpeg = new FfmpegLauncher("ffmpeg", TimeProvider.System);
        var renditions = new RenditionHub(TimeProvider.System, NullLogger<StreamHub>.Instance);
        await using var transcoders = new RenditionTranscoders(renditions, new FixedLadder(), new EncoderProbe(ffmpeg, options, NullLogger<EncoderProbe>.Instance),
            new RenditionQuota(options), ffmpeg, options, TimeProvider.System, NullLogger<RenditionTranscoders>.Instance);
        var hub = new StreamHub(Options.Create(new StreamHubOptions()), TimeProvider.System, [transcoders], NullLogger<StreamHub>.Instance);
        var arrivals = new ConcurrentDictionary<long, long>();
        var delays = Ladder.ToDictionary(name => name, _ => new ConcurrentBag<double>());
        var counting = new StrongBox(false);
        await using var source = FfmpegHubSource.Start(hub, "bench", ["-stream_loop", "-1", "-i", clip, "-c", "copy"]);
        source.Publisher.Stream.AddSink("arrivals", new Arrivals(frame => arrivals[frame.Timestamp + frame.CompositionOffset] = frame.ReceivedAt));
        long sourceFrames = 0;
        long renditionFrames = 0;
        foreach (string name in Ladder)
        {
            var stream = await WaitForAsync(() => renditions.Hub.Find(RenditionHub.StreamId("bench", RenditionLadder.Find(name)!)));
            stream.AddSink("delay", new Arrivals(frame =>
            {
                if (counting.Value && arrivals.TryGetValue(frame.Timestamp, out long at))
                {
                    delays[name].Add(Stopwatch.GetElapsedTime(at, frame.ReceivedAt).TotalMilliseconds);
                    Interlocked.Increment(ref renditionFrames);
                }
            }));
        }

        source.Publisher.Stream.AddSink("count", new Arrivals(_ => Interlocked.Add(ref sourceFrames, counting.Value ? Ladder.Length : 0)));
        await Task.Delay(warmup);
        int pid = transcoders.ProcessIdOf("bench") ?? throw new InvalidOperationException("the transcoder's ffmpeg is not running");
        double ffmpegBefore = ProcessMeter.ProcessCpuSeconds(pid);
        var selfBefore = Process.GetCurrentProcess().TotalProcessorTime;
        counting.Value = true;
        await Task.Delay(window);
        counting.Value = false;
        double ffmpegCpu = (ProcessMeter.ProcessCpuSeconds(pid) - ffmpegBefore) / window.TotalSeconds * 100;
        double selfCpu = (Process.GetCurrentProcess().TotalProcessorTime - selfBefore).TotalSeconds / window.TotalSeconds * 100;
        string states = string.Join(", ", transcoders.Of("bench").Select(s => $"{s.Rendition.Name} {s.State}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"| {preset} | {ffmpegCpu:F0} % | {selfCpu:F0} % | {Percentiles(delays["480p"])} | {Percentiles(delays["360p"])} | {Interlocked.Read(ref renditionFrames)} / {Interlocked.Read(ref sourceFrames)} | {states} |");
    }

    /// <summary>CPU seconds ffmpeg took to decode 20 s of the clip once and make the given encodes, as fast as it could.</summary>
    private static async Task<double> OfflineAsync(string clip, string[] names)
    {
        var encodes = names.Select(n => Encode.Of(RenditionLadder.Find(n)!, 1280, 720)).ToList();
        var arguments = TranscodeArguments.For(VideoEncoder.Libx264, new TranscodeOptions(), encodes, audio: false).ToList();
        int input = arguments.IndexOf("pipe:0");
        arguments[input] = clip;
        arguments[input - 2] = "flv"; // -f mpegts -> -f flv
        arguments.InsertRange(input - 3, ["-stream_loop", "1"]);
        arguments[^1] = "/dev/null";
        var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg", ["-hide_banner", "-nostats", "-benchmark", "-y", .. arguments], TimeSpan.FromMinutes(5));
        string? line = error.Split('\n').FirstOrDefault(l => l.StartsWith("bench: utime=", StringComparison.Ordinal));
        if (exitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"ffmpeg failed ({exitCode}): {error}");
        }

        // bench: utime=12.345s stime=0.456s rtime=7.890s
        var fields = line.Split(' ').Skip(1).Select(f => double.Parse(f[(f.IndexOf('=') + 1)..^1], CultureInfo.InvariantCulture)).ToArray();
        return fields[0] + fields[1];
    }

    private static string Percentiles(ConcurrentBag<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? "none" : string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Length / 2]:F0} / {sorted[(int)(sorted.Length * 0.95)]:F0} ms");
    }

    private static async Task<HubStream> WaitForAsync(Func<HubStream?> find)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (find() is { } stream)
            {
                return stream;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("no rendition stream within 30 s");
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0..3].Aggregate((a, b) => $"{a} {b}");

    private sealed class StrongBox(bool value)
    {
        public volatile bool Value = value;
    }

    /// <summary>Sees each video frame of a stream as it is written.</summary>
    private sealed class Arrivals(Action<MediaFrame> onVideo) : IHubStreamSink
    {
        public void OnFrame(MediaFrame frame)
        {
            if (frame.Kind == MediaFrameKind.Video)
            {
                onVideo(frame);
            }

            frame.Release();
        }

        public void OnCompleted(Exception? error)
        {
        }
    }

    private sealed class FixedLadder : IRenditionLadders
    {
        public ValueTask<StreamLadder> LadderAsync(string streamId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new StreamLadder([Rendition.Source, .. Ladder.Select(n => RenditionLadder.Find(n)!)], ""));
    }
}
