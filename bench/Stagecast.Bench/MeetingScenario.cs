using System.Globalization;
using System.Text;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Bench;

/// <summary>
/// Meetings on Stagecast's SFU: every participant joins the realtime channel, publishes a 640x360 H.264 camera at
/// about 600 kbit/s with Opus-sized audio (Stagecast's own WHIP client replaying a clip) and watches every other
/// participant (its own WHEP client, which decrypts and counts). Measured over a window: the server's CPU, what each
/// subscription receives, and the forwarding delay (a publisher's packet in to the same packet out) from /metrics;
/// then meetings of four are added until the server cannot keep up, to find how many two cores hold.
/// </summary>
public sealed class MeetingScenario(string repository, HttpClient http, TimeSpan warmup, TimeSpan window)
{
    private const string ForwardDelay = "stagecast_whep_forward_delay_seconds";
    private const string CompositorDelay = "stagecast_compositor_delay_seconds";
    private readonly DtlsCertificate _certificate = DtlsCertificate.Create(TimeProvider.System);

    public async Task<string> RunAsync(int[] sizes, int[] rampMeetings)
    {
        var report = new StringBuilder();
        await using var server = new StagecastServer(repository, http);
        await server.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var clip = RtpClip.Load(await Clips.EncodeAsync(Path.Combine(repository, "bench", "results", "tmp"), Clips.Variants[1], bFrames: false));
        report.AppendLine("| participants per meeting | meetings | server CPU % of one core | server CPU s per meeting-minute | Mbit/s per subscription (min / median) | forwarding delay p50 / p95 | healthy |");
        report.AppendLine("|---|---|---|---|---|---|---|");
        foreach (int size in sizes)
        {
            await using var pacer = new RtpPacer(clip);
            var meetings = new List<Meeting> { await StartMeetingAsync(server, size, pacer) };
            var (line, _) = await MeasureAsync(server, meetings);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {size} | 1 | {line}");
            Console.WriteLine($"  meeting of {size}: {line}");
            await DisposeAsync(meetings);
        }

        int held = 0;
        await using (var pacer = new RtpPacer(clip))
        {
            var meetings = new List<Meeting>();
            try
            {
                foreach (int count in rampMeetings)
                {
                    while (meetings.Count < count)
                    {
                        meetings.Add(await StartMeetingAsync(server, 4, pacer));
                    }

                    var (line, healthy) = await MeasureAsync(server, meetings);
                    report.AppendLine(CultureInfo.InvariantCulture, $"| 4 | {count} | {line}");
                    Console.WriteLine($"  {count} meetings of 4: {line}");
                    if (!healthy)
                    {
                        break;
                    }

                    held = count;
                }
            }
            finally
            {
                await DisposeAsync(meetings);
            }
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"The largest healthy step: {held} meetings of 4 participants (each subscription at least 90 % of the median rate).");
        return report.ToString();
    }

    /// <summary>
    /// The compositor: a meeting of each size publishing 640x360, measured without a program and then with its 720p
    /// program live (the livestream's LL-HLS packaging included). CPU is split by process: the server itself (the
    /// SFU, the layout and scaling, the mix, LL-HLS), x264, the AAC encoder and the participants' decoders. The
    /// program's frames come from its livestream's <c>program</c>; the delay is <c>stagecast_compositor_delay_seconds</c>:
    /// a participant's frame complete at the server to the program picture that shows it leaving the encoder.
    /// </summary>
    public async Task<string> RunCompositorAsync(int[] sizes)
    {
        var report = new StringBuilder();
        await using var server = new StagecastServer(repository, http);
        await server.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var clip = RtpClip.Load(await Clips.EncodeAsync(Path.Combine(repository, "bench", "results", "tmp"), Clips.Variants[1], bFrames: false));
        report.AppendLine("| participants at 640x360 | server CPU without a program | with its 1280x720 program: server / x264 / AAC / decoders | the program's cost | frames per second kept (late, encoder behind) | participant frame → program frame p50 / p95 |");
        report.AppendLine("|---|---|---|---|---|---|");
        foreach (int size in sizes)
        {
            await using var pacer = new RtpPacer(clip);
            var meetings = new List<Meeting> { await StartMeetingAsync(server, size, pacer, subscribe: false) };
            try
            {
                await Task.Delay(warmup);
                double baseline = Total(await CpuSpentOverWindowAsync(server));
                string meetingId = meetings[0].Id;
                await server.ApiAsync($"/meetings/{meetingId}/livestreams", new { name = "program" });
                await Task.Delay(warmup + TimeSpan.FromSeconds(3));
                var delayBefore = await MetricsHistogram.BucketsAsync(http, server.MetricsUrl, CompositorDelay);
                var framesBefore = (await server.ApiGetAsync($"/meetings/{meetingId}/active-livestream")).GetProperty("program");
                var spent = await CpuSpentOverWindowAsync(server);
                var framesAfter = (await server.ApiGetAsync($"/meetings/{meetingId}/active-livestream")).GetProperty("program");
                var delay = MetricsHistogram.Delta(delayBefore, await MetricsHistogram.BucketsAsync(http, server.MetricsUrl, CompositorDelay));
                long Frames(string name) => framesAfter.GetProperty(name).GetInt64() - framesBefore.GetProperty(name).GetInt64();
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"| {size} | {baseline:F0} % | {spent.GetValueOrDefault("server"):F0} / {spent.GetValueOrDefault("x264"):F0} / {spent.GetValueOrDefault("aac"):F0} / " +
                    $"{spent.GetValueOrDefault("decoders"):F0} % | {Total(spent) - baseline:F0} % | {Frames("frames") / window.TotalSeconds:F1} ({Frames("dropped_frames_late")}, " +
                    $"{Frames("dropped_frames_encoder_behind")}) | {MetricsHistogram.Quantile(delay, 0.5) * 1000:F0} / {MetricsHistogram.Quantile(delay, 0.95) * 1000:F0} ms |");
                report.AppendLine(line);
                Console.WriteLine($"  meeting of {size}: {line}");
                await server.ApiAsync($"/meetings/{meetingId}/active-livestream/stop", new { });
            }
            finally
            {
                await DisposeAsync(meetings);
            }

            // The program stops 3 s after its livestream: the next meeting is measured once its ffmpeg children are gone.
            for (var waited = TimeSpan.Zero; ProcessMeter.Tree(server.Pid).Any(pid => pid != server.Pid) && waited < TimeSpan.FromSeconds(30); waited += TimeSpan.FromMilliseconds(100))
            {
                await Task.Delay(100);
            }
        }

        report.AppendLine();
        report.AppendLine("CPU in % of one core over the window, ffmpeg children included; the program's cost is the whole tree with it minus without it.");
        return report.ToString();
    }

    private static double Total(Dictionary<string, double> spent) => spent.Values.Sum();

    /// <summary>CPU over the window in % of one core, by process kind (the server, x264, AAC, decoders, caption renders).</summary>
    private async Task<Dictionary<string, double>> CpuSpentOverWindowAsync(StagecastServer server)
    {
        static string Kind(string commandLine) =>
            commandLine.Contains("libx264", StringComparison.Ordinal) ? "x264"
            : commandLine.Contains("-c:a aac", StringComparison.Ordinal) ? "aac"
            : commandLine.Contains("drawtext", StringComparison.Ordinal) ? "captions"
            : commandLine.Contains("ffmpeg", StringComparison.Ordinal) ? "decoders"
            : "other";

        var before = ProcessMeter.CpuSecondsByProcess(server.Pid, Kind);
        await Task.Delay(window);
        var spent = ProcessMeter.CpuSecondsSpent(before, ProcessMeter.CpuSecondsByProcess(server.Pid, Kind));
        return spent.ToDictionary(k => k.Key, k => 100 * k.Value / window.TotalSeconds, StringComparer.Ordinal);
    }

    private async Task<Meeting> StartMeetingAsync(StagecastServer server, int size, RtpPacer pacer, bool subscribe = true)
    {
        string meetingId = (await server.ApiAsync("/meetings", new { title = $"bench-{Guid.NewGuid():N}" })).GetProperty("id").GetString()!;
        var meeting = new Meeting(meetingId);
        string baseUrl = $"http://127.0.0.1:{server.HttpPort}";
        for (int i = 0; i < size; i++)
        {
            var participant = await server.ApiAsync($"/meetings/{meetingId}/participants", new { custom_participant_id = $"p{i}", preset_name = "group_call_participant" });
            string token = participant.GetProperty("token").GetString()!;
            var channel = await ChannelClient.JoinAsync(server, token);
            string peerId = channel.PeerId;
            var publisher = await WhipClient.ConnectAsync(http, $"{baseUrl}/realtime/v1/peers/{peerId}/whip?source=camera", token, _certificate);
            pacer.Add(publisher);
            meeting.People.Add(new Person(token, peerId, channel, publisher));
        }

        foreach (var person in meeting.People.Where(_ => subscribe))
        {
            foreach (var other in meeting.People.Where(p => p != person))
            {
                meeting.Subscriptions.Add(await MeetingClients.SubscribeAsync(http, $"{baseUrl}/realtime/v1/peers/{other.PeerId}/whep?source=camera", person.Token, _certificate));
            }
        }

        return meeting;
    }

    private async Task<(string Line, bool Healthy)> MeasureAsync(StagecastServer server, List<Meeting> meetings)
    {
        await Task.Delay(warmup);
        var subscriptions = meetings.SelectMany(m => m.Subscriptions).ToList();
        var bytesBefore = subscriptions.Select(s => s.Bytes).ToArray();
        var delayBefore = await MetricsHistogram.BucketsAsync(http, server.MetricsUrl, ForwardDelay);
        double cpuBefore = ProcessMeter.CpuSeconds(server.Pid);
        await Task.Delay(window);
        double cpu = ProcessMeter.CpuSeconds(server.Pid) - cpuBefore;
        var delay = MetricsHistogram.Delta(delayBefore, await MetricsHistogram.BucketsAsync(http, server.MetricsUrl, ForwardDelay));
        var rates = subscriptions.Select((s, i) => (s.Bytes - bytesBefore[i]) * 8 / window.TotalSeconds / 1e6).Order().ToArray();
        double median = rates[rates.Length / 2];
        bool healthy = rates[0] >= 0.9 * median && median > 0.3;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{100 * cpu / window.TotalSeconds:F0} | {cpu / window.TotalMinutes / meetings.Count:F2} | {rates[0]:F2} / {median:F2} | " +
            $"{MetricsHistogram.Quantile(delay, 0.5) * 1000:F2} / {MetricsHistogram.Quantile(delay, 0.95) * 1000:F2} ms | {(healthy ? "yes" : "no")} |");
        return (line, healthy);
    }

    private static async Task DisposeAsync(List<Meeting> meetings)
    {
        foreach (var meeting in meetings)
        {
            foreach (var subscription in meeting.Subscriptions)
            {
                await subscription.DisposeAsync();
            }

            foreach (var person in meeting.People)
            {
                await person.Publisher.DisposeAsync();
                person.Channel.Dispose();
            }
        }

        meetings.Clear();
        await Task.Delay(TimeSpan.FromSeconds(2));
    }

    private sealed record Person(string Token, string PeerId, ChannelClient Channel, WhipClient Publisher);

    private sealed class Meeting(string id)
    {
        public string Id { get; } = id;

        public List<Person> People { get; } = [];

        public List<WhepClient> Subscriptions { get; } = [];
    }
}
