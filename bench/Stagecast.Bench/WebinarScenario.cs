using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Stagecast.Testing.WebRtc;
using Stagecast.Transport.Epoll;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Bench;

/// <summary>
/// A webinar on Stagecast's SFU: three hosts on the stage each publish a 640x360 H.264 camera at about 600 kbit/s with
/// Opus-sized audio (WHIP, replaying the clip), and attendees off the stage (<c>webinar_viewer</c>) join the realtime
/// channel and watch all three over meeting WHEP, added in steps. At each step: the server's CPU over a window, less
/// what it spent with the hosts alone, per attendee; what each subscription receives; and a stage round trip on the
/// channel: an attendee asks, a host grants, the attendee joins and publishes, and the time from the grant until the
/// others are told (the host's channel hears the attendee's camera on) and until each of them, subscribing then,
/// receives its first audio and its first video packet.
/// </summary>
public sealed class WebinarScenario(string repository, HttpClient http, TimeSpan warmup, TimeSpan window)
{
    private const int Hosts = 3;

    /// <summary>As in <see cref="WebRtcScenario"/>: each subscription authenticates and decrypts one media packet in 16, counting the rest by length.</summary>
    private const int VerifyEvery = 16;

    private readonly DtlsCertificate _certificate = DtlsCertificate.Create(TimeProvider.System);

    /// <summary>Each step measured, in order.</summary>
    public List<WebinarStep> Steps { get; } = [];

    public async Task<string> RunAsync(int[] attendeeSteps)
    {
        WebRtcClient.ReceivePump ??= UdpReceivePump.TryCreate(TimeSpan.FromMilliseconds(1));
        await using var server = new StagecastServer(repository, http);
        await server.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var clip = RtpClip.Load(await Clips.EncodeAsync(Path.Combine(repository, "bench", "results", "tmp"), Clips.Variants[1], bFrames: false));
        await using var pacer = new RtpPacer(clip);
        var webinar = new Webinar(server, (await server.ApiAsync("/meetings", new { title = $"webinar-{Guid.NewGuid():N}" })).GetProperty("id").GetString()!);
        try
        {
            for (int i = 0; i < Hosts; i++)
            {
                var host = await JoinAsync(webinar, $"host{i}", "webinar_host");
                host.Publisher = await PublishAsync(server, host);
                pacer.Add(host.Publisher);
                webinar.Hosts.Add(host);
            }

            await Task.Delay(warmup);
            double hostsAlone = await CpuSecondsOverWindowAsync(server);
            long hostsAloneBytes = ProcessMeter.ResidentBytes(server.Pid);
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture,
                $"Three hosts publishing alone: server CPU {100 * hostsAlone / window.TotalSeconds:F1} % of one core. Each attendee watches the three (3 WHEP subscriptions).");
            report.AppendLine();
            report.AppendLine("| attendees | server CPU % of one core | server CPU s per attendee-minute (less the hosts alone) | resident memory per attendee (beyond the hosts alone), MiB | Mbit/s per subscription, min / median (of the least a host sent) | " +
                "grant → others told | grant → first heard / seen | grant → each other subscribed p50 / p95 | grant → seen by each other p50 / p95 / last | healthy |");
            report.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (int count in attendeeSteps)
            {
                try
                {
                    while (webinar.Attendees.Count < count)
                    {
                        var attendee = await JoinAsync(webinar, $"attendee{webinar.Attendees.Count}", "webinar_viewer");
                        foreach (var host in webinar.Hosts)
                        {
                            attendee.Watching.Add(await WatchAsync(server, attendee, host));
                        }

                        webinar.Attendees.Add(attendee);
                    }
                }
                catch (Exception ex) when (ex is TimeoutException or Stagecast.WebRtc.WebRtcProtocolException or IOException or WebSocketException or HttpRequestException
                    or InvalidOperationException)
                {
                    report.AppendLine(CultureInfo.InvariantCulture, $"| {count} | attendee {webinar.Attendees.Count + 1} could not join and watch: {ex.Message} | | | | | | | | no |");
                    Console.WriteLine($"  {count} attendees: attendee {webinar.Attendees.Count + 1} could not join and watch: {ex.Message}");
                    break;
                }

                await Task.Delay(warmup);
                var step = await MeasureAsync(server, webinar, hostsAlone, hostsAloneBytes);
                bool healthy = step.Healthy;
                string stage;
                try
                {
                    stage = await StageRoundTripAsync(server, webinar, pacer, webinar.Attendees[^1]);
                }
                catch (Exception ex) when (ex is TimeoutException or Stagecast.WebRtc.WebRtcProtocolException or IOException or InvalidOperationException)
                {
                    stage = $"the stage round trip failed: {ex.Message} | | |";
                    healthy = false;
                }

                Steps.Add(step with { Healthy = healthy });
                report.AppendLine(CultureInfo.InvariantCulture, $"| {count} | {step.Line} | {stage} | {(healthy ? "yes" : "no")} |");
                Console.WriteLine($"  {count} attendees: {step.Line} | {stage} | {(healthy ? "healthy" : "NOT healthy")}");
                if (!healthy)
                {
                    break;
                }
            }

            return report.ToString();
        }
        finally
        {
            foreach (var person in webinar.Hosts.Concat(webinar.Attendees))
            {
                await person.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Server CPU, resident memory and every subscription's bitrate over one window; healthy when none gets under 90 % of
    /// what the hosts sent (the least of the three) and no packet failed SRTP.
    /// </summary>
    private async Task<WebinarStep> MeasureAsync(StagecastServer server, Webinar webinar, double hostsAlone, long hostsAloneBytes)
    {
        var subscriptions = webinar.Attendees.SelectMany(a => a.Watching).ToList();
        var publishers = webinar.Hosts.Select(h => h.Publisher!).ToList();
        var before = subscriptions.Select(s => s.Bytes).ToArray();
        var sentBefore = publishers.Select(p => p.BytesSent).ToArray();
        double cpu = await CpuSecondsOverWindowAsync(server);
        long resident = ProcessMeter.ResidentBytes(server.Pid);
        double Mbps(long bytes) => bytes * 8 / window.TotalSeconds / 1e6;
        var rates = subscriptions.Select((s, i) => Mbps(s.Bytes - before[i])).Order().ToArray();
        double sent = publishers.Select((p, i) => Mbps(p.BytesSent - sentBefore[i])).Min();
        int attendees = webinar.Attendees.Count;
        return new WebinarStep(attendees, 100 * cpu / window.TotalSeconds, (cpu - hostsAlone) / window.TotalMinutes / attendees,
            (resident - hostsAloneBytes) / 1048576.0 / attendees, rates[0], rates[rates.Length / 2], sent,
            rates[0] >= 0.9 * sent && subscriptions.Sum(s => s.Rejected) == 0);
    }

    /// <summary>
    /// <paramref name="guest"/> asks for the stage and the first host grants it (the channel's <c>stage_request</c> and
    /// <c>stage_grant</c>); told so, the guest joins (<c>stage_join</c>) and publishes its camera; once the host's channel
    /// hears the camera on, everyone else subscribes to it at once, as their clients would. Timed from the grant: the
    /// others told, the first of them hearing it, and each of them subscribed and seeing it (its first video packet: a
    /// subscription starts at a keyframe, which the server asks the guest for). The host sends the guest back afterwards.
    /// </summary>
    private async Task<string> StageRoundTripAsync(StagecastServer server, Webinar webinar, RtpPacer pacer, Person guest)
    {
        var host = webinar.Hosts[0];
        await guest.Channel.RequestAsync("stage_request");
        var approved = Await(guest.Channel, m => m.GetProperty("type").GetString() == "stage_updated" && IsPeer(m, guest)
            && m.GetProperty("peer").GetProperty("stage_status").GetString() == "APPROVED");
        var told = Await(host.Channel, m => m.GetProperty("type").GetString() == "peer_updated" && IsPeer(m, guest)
            && m.GetProperty("peer").GetProperty("video_enabled").GetBoolean());
        long granted = Stopwatch.GetTimestamp();
        await host.Channel.RequestAsync("stage_grant", new { peer_ids = new[] { guest.PeerId } });
        await approved;
        await guest.Channel.RequestAsync("stage_join");
        guest.Publisher = await PublishAsync(server, guest);
        pacer.Add(guest.Publisher);
        long toldAt = await told;
        var others = webinar.Hosts.Concat(webinar.Attendees).Where(p => p != guest).ToList();
        var watchers = await Task.WhenAll(others.Select(o => WatchGuestAsync(server, o, guest)));
        await host.Channel.RequestAsync("stage_kick", new { peer_ids = new[] { guest.PeerId } });
        pacer.Remove(guest.Publisher);
        await guest.Publisher.DisposeAsync();
        guest.Publisher = null;

        double Ms(long at) => Stopwatch.GetElapsedTime(granted, at).TotalMilliseconds;
        double[] Sorted(IEnumerable<long?> times) => [.. times.OfType<long>().Select(Ms).Order()];
        var subscribed = Sorted(watchers.Select(w => w.Subscribed));
        var heard = Sorted(watchers.Select(w => w.Heard));
        var seen = Sorted(watchers.Select(w => w.Seen));
        string missing = seen.Length < watchers.Length
            ? $" ({watchers.Length - subscribed.Length} of {watchers.Length} could not subscribe, {subscribed.Length - seen.Length} saw nothing in 30 s)"
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Ms(toldAt):F0} ms | {Quantile(heard, 0):F0} / {Quantile(seen, 0):F0} ms | {Quantile(subscribed, 0.5):F0} / {Quantile(subscribed, 0.95):F0} ms | " +
            $"{Quantile(seen, 0.5):F0} / {Quantile(seen, 0.95):F0} / {Quantile(seen, 1):F0} ms{missing}");
    }

    /// <summary>When <paramref name="channel"/> next hears an event that <paramref name="match"/>es (30 s at most); it stops listening then.</summary>
    private static async Task<long> Await(ChannelClient channel, Func<JsonElement, bool> match)
    {
        var at = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.Events = message =>
        {
            if (match(message))
            {
                at.TrySetResult(Stopwatch.GetTimestamp());
            }
        };
        try
        {
            return await at.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            channel.Events = null;
        }
    }

    private static bool IsPeer(JsonElement message, Person person) =>
        message.TryGetProperty("peer", out var peer) && peer.GetProperty("id").GetString() == person.PeerId;

    /// <summary>
    /// One of the others subscribes to the guest, and waits (30 s at most) for its first audio and video: when each came;
    /// all null when it could not subscribe.
    /// </summary>
    private async Task<(long? Subscribed, long? Heard, long? Seen)> WatchGuestAsync(StagecastServer server, Person watcher, Person guest)
    {
        WhepClient subscription;
        try
        {
            subscription = await WatchAsync(server, watcher, guest);
        }
        catch (Exception ex) when (ex is TimeoutException or Stagecast.WebRtc.WebRtcProtocolException or IOException)
        {
            return (null, null, null);
        }

        await using (subscription)
        {
            long subscribed = Stopwatch.GetTimestamp();
            long? heard = null;
            long? seen = null;
            var deadline = subscribed + (Stopwatch.Frequency * 30);
            while (seen is null && Stopwatch.GetTimestamp() < deadline)
            {
                long now = Stopwatch.GetTimestamp();
                heard ??= subscription.AudioPackets > 0 ? now : null;
                seen ??= subscription.VideoPackets > 0 ? now : null;
                await Task.Delay(5);
            }

            return (subscribed, heard ?? seen, seen);
        }
    }

    /// <summary>The <paramref name="q"/> quantile of sorted values (0: the least, 1: the most), NaN for none.</summary>
    private static double Quantile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private async Task<double> CpuSecondsOverWindowAsync(StagecastServer server)
    {
        double before = ProcessMeter.CpuSeconds(server.Pid);
        await Task.Delay(window);
        return ProcessMeter.CpuSeconds(server.Pid) - before;
    }

    private static async Task<Person> JoinAsync(Webinar webinar, string name, string preset)
    {
        var participant = await webinar.Server.ApiAsync($"/meetings/{webinar.Id}/participants", new { custom_participant_id = name, preset_name = preset, name });
        string token = participant.GetProperty("token").GetString()!;
        return new Person(token, await ChannelClient.JoinAsync(webinar.Server, token));
    }

    private Task<WhipClient> PublishAsync(StagecastServer server, Person person) =>
        WhipClient.ConnectAsync(http, $"http://127.0.0.1:{server.HttpPort}/realtime/v1/peers/{person.PeerId}/whip?source=camera", person.Token, _certificate);

    private async Task<WhepClient> WatchAsync(StagecastServer server, Person watcher, Person publisher)
    {
        var subscription = await MeetingClients.SubscribeAsync(http, $"http://127.0.0.1:{server.HttpPort}/realtime/v1/peers/{publisher.PeerId}/whep?source=camera",
            watcher.Token, _certificate);
        subscription.VerifyEvery = VerifyEvery;
        return subscription;
    }

    private sealed class Webinar(StagecastServer server, string id)
    {
        public StagecastServer Server { get; } = server;

        public string Id { get; } = id;

        public List<Person> Hosts { get; } = [];

        public List<Person> Attendees { get; } = [];
    }

    private sealed class Person(string token, ChannelClient channel) : IAsyncDisposable
    {
        public string Token { get; } = token;

        public ChannelClient Channel { get; } = channel;

        public string PeerId => Channel.PeerId;

        public WhipClient? Publisher { get; set; }

        public List<WhepClient> Watching { get; } = [];

        public async ValueTask DisposeAsync()
        {
            foreach (var subscription in Watching)
            {
                await subscription.DisposeAsync();
            }

            if (Publisher is not null)
            {
                await Publisher.DisposeAsync();
            }

            Channel.Dispose();
        }
    }
}

/// <summary>
/// A webinar's step: attendees, the server's CPU (% of one core, and seconds per attendee-minute beyond the hosts
/// alone), its resident memory per attendee beyond the hosts alone, the subscriptions' bitrates and whether it held.
/// </summary>
public sealed record WebinarStep(int Attendees, double CpuPercent, double CpuPerAttendeeMinute, double MemoryPerAttendeeMiB, double MinMbps, double MedianMbps, double SentMbps, bool Healthy)
{
    public string Line => string.Create(CultureInfo.InvariantCulture,
        $"{CpuPercent:F0} | {CpuPerAttendeeMinute:F3} | {MemoryPerAttendeeMiB:F2} | {MinMbps:F2} / {MedianMbps:F2} of {SentMbps:F2}");
}
