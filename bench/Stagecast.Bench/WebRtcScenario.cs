using System.Diagnostics;
using System.Globalization;
using System.Text;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Bench;

/// <summary>
/// WebRTC on Stagecast: WHEP viewers of a 720p 2.5 Mbps RTMP stream added in steps (Stagecast's own WHEP client, which
/// authenticates and decrypts one packet in <see cref="VerifyEvery"/>, counts, and does not decode), the server's CPU per viewer and its own delay from the hub to the viewer;
/// then one WHIP publisher (GStreamer's simple-whip-client, 720p at 2.5 Mbps) with its CPU on the server (Opus to AAC
/// included) and the delay from its RTP packet in to the same packet out to WHEP viewers.
/// </summary>
public sealed class WebRtcScenario(string repository, HttpClient http, TimeSpan warmup, TimeSpan window)
{
    /// <summary>
    /// Each viewer decrypts and authenticates one media packet in this many and counts the rest by length: the load
    /// tool shares the two cores with the server, and decrypting every viewer's 2.5 Mbit/s took more than half of them.
    /// One bad packet among those checked makes the step unhealthy.
    /// </summary>
    private const int VerifyEvery = 16;

    /// <summary>
    /// A step is held when every viewer gets the stream (at least 95 % of the bitrate the first step's viewers got,
    /// and none under 90 % of the median) and the delay's p95 stays under this: three frames at 30 fps, about what a
    /// browser's jitter buffer absorbs. Beyond it viewers see late frames.
    /// </summary>
    private static readonly TimeSpan MaxDelayP95 = TimeSpan.FromMilliseconds(100);

    /// <summary>Each step of WHEP viewers of the RTMP stream, in order.</summary>
    public List<FanOutStep> Steps { get; } = [];

    /// <summary>
    /// WHEP viewers of an RTMP stream in <paramref name="viewerSteps"/>, then (unless <paramref name="whipPublisher"/> is
    /// false) a WHIP publisher and its viewers; returns the report.
    /// </summary>
    public async Task<string> RunAsync(int[] viewerSteps, bool whipPublisher = true)
    {
        // The viewers are read by one thread that sleeps a millisecond between rounds (UdpReceivePump): viewers waiting
        // on their sockets were woken by every frame the server sent them, and over loopback the server's sends paid for it.
        WebRtcClient.ReceivePump ??= Environment.GetEnvironmentVariable("STAGECAST_BENCH_PUMP") == "0" ? null : Stagecast.Transport.Epoll.UdpReceivePump.TryCreate(TimeSpan.FromMilliseconds(1));
        var report = new StringBuilder();
        await using var server = new StagecastServer(repository, http);
        await server.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var slots = await server.CreateStreamsAsync(2);
        string clip = await Clips.EncodeAsync(Path.Combine(repository, "bench", "results", "tmp"), Clips.Variants[0], bFrames: false);
        using var publisher = Process.Start(new ProcessStartInfo("ffmpeg", ["-hide_banner", "-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "flv",
            $"rtmp://127.0.0.1:{server.RtmpPort}/live/{slots[0].Key}"])
        { RedirectStandardError = true })!;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            string whep = slots[0].PlaybackUrl.Replace("/manifest/video.m3u8", "/whep", StringComparison.Ordinal);
            report.AppendLine("| WHEP viewers of one 720p 2.5 Mbps RTMP stream | server CPU s per viewer-minute | server CPU % of one core | Mbit/s per viewer (min / median) | hub → viewer delay p50 / p95 | healthy |");
            report.AppendLine("|---|---|---|---|---|---|");
            var certificate = DtlsCertificate.Create(TimeProvider.System);
            var viewers = new List<WhepClient>();
            double? reference = null;
            try
            {
                foreach (int count in viewerSteps)
                {
                    try
                    {
                        while (viewers.Count < count)
                        {
                            var viewer = await WhepClient.ConnectAsync(http, whep, certificate).WaitAsync(TimeSpan.FromSeconds(30));
                            viewer.VerifyEvery = VerifyEvery;
                            viewers.Add(viewer);
                        }
                    }
                    catch (Exception ex) when (ex is TimeoutException or Stagecast.WebRtc.WebRtcProtocolException)
                    {
                        report.AppendLine(CultureInfo.InvariantCulture, $"| {count} | viewer {viewers.Count + 1} could not connect: {ex.Message} | | | | no |");
                        Console.WriteLine($"  {count} viewers: viewer {viewers.Count + 1} could not connect");
                        break;
                    }

                    await Task.Delay(warmup);
                    var (line, healthy, median, cpuPercent) = await MeasureAsync(server, viewers, "stagecast_whep_hub_delay_seconds", reference);
                    reference ??= median;
                    Steps.Add(new FanOutStep(count, cpuPercent, healthy));
                    report.AppendLine(CultureInfo.InvariantCulture, $"| {count} | {line} | {(healthy ? "yes" : "no")} |");
                    Console.WriteLine($"  {count} viewers: {line}");
                    if (!healthy)
                    {
                        break;
                    }
                }
            }
            finally
            {
                foreach (var viewer in viewers)
                {
                    await viewer.DisposeAsync();
                }
            }
        }
        finally
        {
            publisher.Kill();
        }

        if (!whipPublisher)
        {
            return report.ToString();
        }

        // After a saturated step the server may still be closing viewers; the publisher starts on a quiet server.
        await Eventually.TrueAsync(async () => await server.MetricAsync("stagecast_webrtc_sessions") == 0, "the WHEP viewers' sessions to close", TimeSpan.FromMinutes(1));
        report.AppendLine();
        report.Append(await WhipPublisherAsync(server, slots[1]));
        return report.ToString();
    }

    private async Task<string> WhipPublisherAsync(StagecastServer server, StreamSlot slot)
    {
        string id = slot.Id;
        using var client = await WhipPublisher.StartAsync(repository, $"http://127.0.0.1:{server.HttpPort}/{id}/whip", slot.Key, 1280, 720, 2300);
        var report = new StringBuilder();
        await Eventually.TrueAsync(async () =>
        {
            using var playlist = await http.GetAsync(slot.PlaybackUrl);
            return playlist.IsSuccessStatusCode;
        }, "the WHIP publisher's stream to play");
        await Task.Delay(warmup);
        double before = ProcessMeter.CpuSeconds(server.Pid);
        await Task.Delay(window);
        double cpu = ProcessMeter.CpuSeconds(server.Pid) - before;
        report.AppendLine(CultureInfo.InvariantCulture,
            $"One WHIP publisher (simple-whip-client, 720p H.264 at 2.3 Mbit/s + Opus): server CPU {cpu / window.TotalMinutes:F2} s per minute ({100 * cpu / window.TotalSeconds:F1} % of one core), Opus → AAC transcoder included.");
        report.AppendLine();
        report.AppendLine("| WHEP viewers of the WHIP publisher (its RTP forwarded) | server CPU s per viewer-minute | server CPU % of one core | Mbit/s per viewer (min / median) | RTP in → out delay p50 / p95 | healthy |");
        report.AppendLine("|---|---|---|---|---|---|");
        var certificate = DtlsCertificate.Create(TimeProvider.System);
        var viewers = new List<WhepClient>();
        try
        {
            foreach (int count in new[] { 1, 10, 50 })
            {
                try
                {
                    while (viewers.Count < count)
                    {
                        var viewer = await WhepClient.ConnectAsync(http, $"http://127.0.0.1:{server.HttpPort}/{id}/whep", certificate);
                        viewer.VerifyEvery = VerifyEvery;
                        viewers.Add(viewer);
                    }
                }
                catch (Stagecast.WebRtc.WebRtcProtocolException ex)
                {
                    // After a saturated step the machine may still be catching up when the publisher starts.
                    report.AppendLine(CultureInfo.InvariantCulture, $"| {count} | viewer {viewers.Count + 1} could not connect: {ex.Message} | | | | no |");
                    break;
                }

                await Task.Delay(warmup);
                var (line, healthy, _, _) = await MeasureAsync(server, viewers, "stagecast_whep_forward_delay_seconds", null);
                report.AppendLine(CultureInfo.InvariantCulture, $"| {count} | {line} | {(healthy ? "yes" : "no")} |");
                Console.WriteLine($"  {count} forwarded viewers: {line}");
            }
        }
        finally
        {
            foreach (var viewer in viewers)
            {
                await viewer.DisposeAsync();
            }
        }

        return report.ToString();
    }

    /// <summary>
    /// Server CPU, what each viewer received and the delay histogram's quantiles over one window; held or not against
    /// the <paramref name="reference"/> bitrate (the first step's median, or this step's when null) and <see cref="MaxDelayP95"/>.
    /// </summary>
    private async Task<(string Line, bool Healthy, double Median, double CpuPercent)> MeasureAsync(StagecastServer server, List<WhepClient> viewers, string histogram, double? reference)
    {
        var bytesBefore = viewers.Select(v => v.Bytes).ToArray();
        var delayBefore = await MetricsHistogram.BucketsAsync(http, server.MetricsUrl, histogram);
        double cpuBefore = ProcessMeter.CpuSeconds(server.Pid);
        await Task.Delay(window);
        double cpu = ProcessMeter.CpuSeconds(server.Pid) - cpuBefore;
        var delayAfter = await MetricsHistogram.BucketsAsync(http, server.MetricsUrl, histogram);
        var rates = viewers.Select((v, i) => (v.Bytes - bytesBefore[i]) * 8 / window.TotalSeconds / 1e6).Order().ToArray();
        double median = rates[rates.Length / 2];
        var delta = MetricsHistogram.Delta(delayBefore, delayAfter);
        long rejected = viewers.Sum(v => v.Rejected);
        int withoutVideo = viewers.Count(v => v.VideoPackets == 0);
        double p95 = MetricsHistogram.Quantile(delta, 0.95);
        bool healthy = rates[0] >= 0.9 * median && median >= 0.95 * (reference ?? median) && median > 1.5 && p95 < MaxDelayP95.TotalSeconds
            && rejected == 0 && withoutVideo == 0;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{cpu / window.TotalMinutes / viewers.Count:F3} | {100 * cpu / window.TotalSeconds:F0} | {rates[0]:F2} / {median:F2} | {MetricsHistogram.Quantile(delta, 0.5) * 1000:F2} / {p95 * 1000:F2} ms");
        if (rejected > 0 || withoutVideo > 0)
        {
            line += string.Create(CultureInfo.InvariantCulture, $" ({rejected} packets failed SRTP, the first: {viewers.Select(v => v.FirstRejection).FirstOrDefault(r => r is not null) ?? "none"}; {withoutVideo} viewers without video)");
        }
        return (line, healthy, median, 100 * cpu / window.TotalSeconds);
    }
}

/// <summary>A step of WHEP viewers: how many, the server's CPU (% of one core) and whether the step held.</summary>
public sealed record FanOutStep(int Viewers, double CpuPercent, bool Healthy)
{
    /// <summary>Viewers per core of the server's CPU at this step (the stream's ingest included).</summary>
    public double ViewersPerCore => Viewers / (CpuPercent / 100);
}
