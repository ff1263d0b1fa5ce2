using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Stagecast.Speech;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Bench;

/// <summary>
/// <c>--scenario transcription</c>: live transcripts on the server's CPU (docs/ai.md). First each engine in this
/// process on a fixed set of sentences said by espeak-ng (<see cref="SpokenAudio.MeetingSentences"/>): its word error rate and its
/// real-time factor (recognition time over audio length, in all and per sentence), and from those the speakers one
/// worker keeps up with. Then a real server with the engine on: N speakers in one meeting (their preset has
/// <c>transcription_enabled</c>) say the sentences over meeting WHIP as a browser's Opus, in real time with a pause
/// after each, and a silent peer takes the <c>transcript</c> messages on the realtime channel and every speaker's
/// audio over meeting WHEP. Measured over the window: the server's CPU, with the same speakers under a preset without
/// transcription as the baseline (the difference is the listener's decode, resampling and segmenting and the engine's
/// work); from the last speech packet of an utterance sent to its transcript at the peer; what was heard after Opus
/// and the SFU; the utterances the server dropped (<c>stagecast_transcription_utterances_total</c>); and whether the
/// media went on meanwhile: the audio packets the peer received of those sent, and the SFU's forwarding delay.
/// </summary>
public sealed class TranscriptionScenario(string repository, HttpClient http)
{
    private const int SampleRate = 16_000;
    private const string PocketSphinxModel = "/usr/share/pocketsphinx/model/en-us";
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxSettle = TimeSpan.FromMinutes(2);
    private const string ForwardDelay = "stagecast_whep_forward_delay_seconds";
    private readonly DtlsCertificate _certificate = DtlsCertificate.Create(TimeProvider.System);
    private TimeSpan _quiet = TimeSpan.FromSeconds(3);

    /// <summary>Each engine measured, in order (pocketsphinx, then whisper when a model was named).</summary>
    public List<EngineResult> Engines { get; } = [];

    /// <summary>Each meeting measured, in order.</summary>
    public List<MeetingStep> Steps { get; } = [];

    /// <summary>
    /// Measures the engines on the first <paramref name="sentenceCount"/> sentences, then a meeting of each of
    /// <paramref name="speakers"/> counts per engine (after the same meeting without transcription, unless
    /// <paramref name="baseline"/> is false); returns the report.
    /// </summary>
    public async Task<string> RunAsync(string? whisperModel, int[] speakers, TimeSpan warmup, TimeSpan window, int sentenceCount = int.MaxValue, bool baseline = true)
    {
        var spoken = SpokenAudio.MeetingSentences.Take(sentenceCount).Select(s => new Spoken(s, SpokenAudio.Say(s), SpokenAudio.SayAsOpus(s, Pause))).ToList();
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average before: {LoadAverage()}.");
        report.AppendLine(CultureInfo.InvariantCulture, $"{spoken.Count} sentences by espeak-ng (`en-us+edward`, 140 words a minute), {spoken.Sum(s => s.Samples.Length) / (double)SampleRate:F1} s of speech.");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"One worker recognises every utterance; whisper.cpp runs it on {Math.Max(1, Environment.ProcessorCount / 2)} thread(s) (half the cores), PocketSphinx on one.");
        report.AppendLine();
        report.AppendLine("| engine | words | word error rate | audio, s | recognition, s | real-time factor | recognition of a sentence: median / max | speakers a worker keeps up with (derived: sentences and their pauses over their recognition) |");
        report.AppendLine("|---|---|---|---|---|---|---|---|");
        var engines = new List<(string Name, string[] Options)> { ("pocketsphinx", ["--transcription-engine", "pocketsphinx"]) };
        using (var pocketSphinx = new PocketSphinxRecognizer(PocketSphinxModel))
        {
            Engines.Add(Measure(pocketSphinx, spoken));
        }

        if (whisperModel is not null)
        {
            using var whisper = WhisperRecognizer.Load(whisperModel, "en");
            Engines.Add(Measure(whisper, spoken));
            engines.Add(($"whisper ({Path.GetFileName(whisperModel)})", ["--transcription-engine", "whisper", "--whisper-model", Path.GetFullPath(whisperModel)]));
        }

        foreach (var engine in Engines)
        {
            report.AppendLine(engine.Row);
        }

        // Between meetings the server finishes what the last one left in its queue: quiet for two of the slowest sentences.
        _quiet = TimeSpan.FromSeconds(Math.Max(3, 2 * Engines.Max(e => e.UtteranceSeconds.Max())));
        report.AppendLine();
        report.AppendLine("| engine in the server | speakers | server CPU, % of one core: without transcription / with | CPU s per speaker-minute: without / with | transcription's share | utterances heard / said | dropped by the server | word error rate after Opus and the SFU | last speech packet sent → transcript at a peer: p50 / p95 / max |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, options) in engines)
        {
            await using var server = new StagecastServer(repository, http, options: options);
            await server.StartAsync();
            await CreatePresetAsync(server);
            await MeasureAsync(server, spoken, 1, transcribed: true, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)); // the JIT and the engine's first utterance
            foreach (int count in speakers)
            {
                Console.WriteLine($"  {name}, {count} speaker(s) …");
                var without = baseline ? await MeasureAsync(server, spoken, count, transcribed: false, warmup, window) : null;
                var with = await MeasureAsync(server, spoken, count, transcribed: true, warmup, window);
                var step = with with { Engine = name, Baseline = without };
                Steps.Add(step);
                report.AppendLine(step.Row);
                Console.WriteLine($"  {step.Row}");
            }
        }

        report.AppendLine();
        report.AppendLine("The media meanwhile: the silent peer's audio from every speaker over meeting WHEP in the window, and the SFU's forwarding delay (a speaker's packet in to the same packet out to the peer).");
        report.AppendLine();
        report.AppendLine("| engine in the server | speakers | audio packets received / sent, without transcription | with | forwarding delay p50 / p95, without | with |");
        report.AppendLine("|---|---|---|---|---|---|");
        foreach (var step in Steps)
        {
            report.AppendLine(step.MediaRow);
        }

        report.AppendLine();
        var cycle = TimeSpan.FromSeconds(spoken.Average(s => s.SpeechPackets) * 0.020) + Pause;
        foreach (var (name, _) in engines)
        {
            var held = Steps.Where(s => s.Engine == name && s.HeldInRealTime(cycle)).Select(s => s.Speakers).DefaultIfEmpty(0).Max();
            report.AppendLine(CultureInfo.InvariantCulture,
                $"- {name}: held in real time up to {held} speaker(s) of those run (every utterance said in the window transcribed, none dropped, p95 of the delay within a sentence and its pause, {cycle.TotalSeconds:F1} s).");
        }

        report.AppendLine();
        report.AppendLine("What each engine heard (said → heard):");
        report.AppendLine();
        foreach (var engine in Engines)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"- {engine.Engine}: {string.Join("; ", engine.Heard.Select(h => $"\"{h.Said}\" → \"{h.Heard}\""))}");
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Warm-up {warmup.TotalSeconds} s and window {window.TotalSeconds} s per step; load average after: {LoadAverage()}.");
        return report.ToString();
    }

    /// <summary>The engine on each sentence in turn, after one unmeasured (its first utterance allocates).</summary>
    private static EngineResult Measure(ISpeechRecognizer engine, List<Spoken> spoken)
    {
        engine.Recognize(spoken[0].Samples);
        var heard = new List<(string Said, string Heard)>();
        var took = new List<double>();
        foreach (var sentence in spoken)
        {
            long started = Stopwatch.GetTimestamp();
            heard.Add((sentence.Text, engine.Recognize(sentence.Samples)));
            took.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        double audio = spoken.Sum(s => s.Samples.Length) / (double)SampleRate;
        return new EngineResult(engine.Engine, heard, Rate(heard), audio, took.Sum(), took, Pause);
    }

    /// <summary>Word errors over the words said, across every sentence.</summary>
    private static double Rate(List<(string Said, string Heard)> heard) =>
        heard.Sum(h => WordErrorRate.Of(h.Said, h.Heard) * WordErrorRate.Words(h.Said).Length) / heard.Sum(h => WordErrorRate.Words(h.Said).Length);

    private static async Task CreatePresetAsync(StagecastServer server) =>
        await server.ApiAsync("/presets", new
        {
            name = "transcribed",
            config = new { view_type = "GROUP_CALL" },
            permissions = new { can_produce_audio = true, can_produce_video = true, transcription_enabled = true },
        });

    /// <summary>
    /// One meeting: <paramref name="count"/> speakers say the sentences (each starting at a different one) through the
    /// warm-up and the window, then fall silent (at least <see cref="Grace"/>, the segmenter's end of an utterance and
    /// more) until every utterance of the window has its transcript or the server has gone quiet (<see cref="SettleAsync"/>).
    /// </summary>
    private async Task<MeetingStep> MeasureAsync(StagecastServer server, List<Spoken> spoken, int count, bool transcribed, TimeSpan warmup, TimeSpan window)
    {
        await SettleAsync(server, () => false, () => Task.Delay(TimeSpan.FromMilliseconds(500)));
        string meetingId = (await server.ApiAsync("/meetings", new { title = $"bench-{Guid.NewGuid():N}" })).GetProperty("id").GetString()!;
        string baseUrl = $"http://127.0.0.1:{server.HttpPort}";
        var heard = new List<Heard>();
        var observerToken = (await server.ApiAsync($"/meetings/{meetingId}/participants", new { custom_participant_id = "observer", preset_name = "group_call_participant" })).GetProperty("token").GetString()!;
        using var observer = await ChannelClient.JoinAsync(server, observerToken);
        observer.Events = message =>
        {
            if (message.GetProperty("type").GetString() == "transcript")
            {
                lock (heard)
                {
                    heard.Add(new Heard(message.GetProperty("peer_id").GetString()!, message.GetProperty("text").GetString()!, message.GetProperty("ended_at").GetDateTimeOffset(), Stopwatch.GetTimestamp()));
                }
            }
        };

        var speakers = new List<Speaker>();
        var listening = new List<WhepClient>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var participant = await server.ApiAsync($"/meetings/{meetingId}/participants", new { custom_participant_id = $"s{i}", preset_name = transcribed ? "transcribed" : "group_call_participant" });
                string token = participant.GetProperty("token").GetString()!;
                var channel = await ChannelClient.JoinAsync(server, token);
                var whip = await WhipClient.ConnectAsync(http, $"{baseUrl}/realtime/v1/peers/{channel.PeerId}/whip?source=camera", token, _certificate);
                speakers.Add(new Speaker(channel, whip, RtpSender.Opus(whip), i % spoken.Count));
            }

            (double Recognised, double Dropped) before = (await UtterancesAsync(server, "recognised"), await UtterancesAsync(server, "dropped"));
            using var talking = new CancellationTokenSource();
            var talk = Task.Run(() => Speaking.TalkAsync(speakers, spoken, talking.Token));
            foreach (var speaker in speakers) // the peer listens once the speakers' sources are in the SFU
            {
                listening.Add(await MeetingClients.SubscribeAsync(http, $"{baseUrl}/realtime/v1/peers/{speaker.Channel.PeerId}/whep?source=camera", observerToken, _certificate));
            }

            await Task.Delay(warmup);
            long windowStart = Stopwatch.GetTimestamp();
            var forwardBefore = await MetricsHistogram.BucketsAsync(http, server.MetricsUrl, ForwardDelay);
            (long Sent, long Received) audioBefore = (speakers.Sum(s => s.Packets), listening.Sum(l => l.AudioPackets));
            double cpuBefore = ProcessMeter.CpuSeconds(server.Pid);
            await Task.Delay(window);
            double cpu = ProcessMeter.CpuSeconds(server.Pid) - cpuBefore;
            (long Sent, long Received) audio = (speakers.Sum(s => s.Packets) - audioBefore.Sent, listening.Sum(l => l.AudioPackets) - audioBefore.Received);
            var forward = MetricsHistogram.Delta(forwardBefore, await MetricsHistogram.BucketsAsync(http, server.MetricsUrl, ForwardDelay));
            long windowEnd = Stopwatch.GetTimestamp();
            await talking.CancelAsync();
            await talk; // speakers are now in a pause: their last utterances end
            await Speaking.WhileSilentAsync(speakers, Grace);
            var said = speakers.SelectMany(s => s.Said.Select(u => new Said(s.Channel.PeerId, u.Text, u.EndedAt, u.Sent))).Where(u => u.Sent >= windowStart && u.Sent <= windowEnd).ToList();
            bool AllHeard()
            {
                lock (heard)
                {
                    return Match(said, heard).DelaysMs.Count == said.Count;
                }
            }

            // A busy server's last transcripts come later: the silence goes on while one is missing and the server still recognises.
            await SettleAsync(server, AllHeard, () => Speaking.WhileSilentAsync(speakers, TimeSpan.FromMilliseconds(500)));
            long dropped = (long)(await UtterancesAsync(server, "dropped") - before.Dropped);
            long recognised = (long)(await UtterancesAsync(server, "recognised") - before.Recognised);

            List<(string Said, string Heard)> pairs;
            List<double> delays;
            lock (heard)
            {
                (pairs, delays) = Match(said, heard);
            }

            return new MeetingStep("", count, window.TotalSeconds, cpu, delays.Count, said.Count, said.Count > 0 ? Rate(pairs) : double.NaN, delays, dropped, recognised,
                audio.Sent, audio.Received, MetricsHistogram.Quantile(forward, 0.5) * 1000, MetricsHistogram.Quantile(forward, 0.95) * 1000);
        }
        finally
        {
            foreach (var client in listening)
            {
                await client.DisposeAsync();
            }

            foreach (var speaker in speakers)
            {
                await speaker.Whip.DisposeAsync();
                speaker.Channel.Dispose();
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>
    /// Each transcript is the utterance of its speaker whose speech ended nearest its <c>ended_at</c>; the delay (ms) is
    /// from that speech's last packet sent to the transcript's arrival. An utterance without one was heard as nothing.
    /// </summary>
    private static (List<(string Said, string Heard)> Pairs, List<double> DelaysMs) Match(List<Said> said, List<Heard> heard)
    {
        var pairs = new List<(string Said, string Heard)>();
        var delays = new List<double>();
        var left = new List<Heard>(heard);
        foreach (var utterance in said)
        {
            var match = left.Where(h => h.PeerId == utterance.PeerId && h.Arrived > utterance.Sent)
                .OrderBy(h => Math.Abs((h.EndedAt - utterance.EndedAt).TotalSeconds)).FirstOrDefault();
            if (match is not null && Math.Abs((match.EndedAt - utterance.EndedAt).TotalSeconds) < Pause.TotalSeconds)
            {
                left.Remove(match);
                delays.Add(Stopwatch.GetElapsedTime(utterance.Sent, match.Arrived).TotalMilliseconds);
                pairs.Add((utterance.Text, match.Text));
            }
            else
            {
                pairs.Add((utterance.Text, ""));
            }
        }

        return (pairs, delays);
    }

    /// <summary>
    /// Waits (<paramref name="wait"/> at a time) until <paramref name="done"/>, or until the server has finished what is
    /// in its queue: no utterance has left it for <see cref="_quiet"/>; at most <see cref="MaxSettle"/>. Before a meeting,
    /// so the last one's backlog is not its CPU; after one, for the transcripts a busy server sends late.
    /// </summary>
    private async Task SettleAsync(StagecastServer server, Func<bool> done, Func<Task> wait)
    {
        long started = Stopwatch.GetTimestamp();
        long since = started;
        double last = await UtterancesLeftAsync(server);
        while (!done() && Stopwatch.GetElapsedTime(since) < _quiet && Stopwatch.GetElapsedTime(started) < MaxSettle)
        {
            await wait();
            if (await UtterancesLeftAsync(server) is var now && now != last)
            {
                (last, since) = (now, Stopwatch.GetTimestamp());
            }
        }
    }

    private static async Task<double> UtterancesLeftAsync(StagecastServer server) =>
        await UtterancesAsync(server, "recognised") + await UtterancesAsync(server, "dropped") + await UtterancesAsync(server, "damaged");

    /// <summary>The server's count of utterances by outcome (<c>recognised</c>, <c>dropped</c>, <c>damaged</c>).</summary>
    private static Task<double> UtterancesAsync(StagecastServer server, string outcome) =>
        server.MetricAsync($"stagecast_transcription_utterances_total{{outcome=\"{outcome}\"}}");

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0..3].Aggregate((a, b) => $"{a} {b}");
}
