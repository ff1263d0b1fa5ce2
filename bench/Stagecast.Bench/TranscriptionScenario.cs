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
/// real-time factor (recognition time over audio length). Then a real server with the engine on: N speakers in one
/// meeting (their preset has <c>transcription_enabled</c>) say the sentences over meeting WHIP as a browser's Opus,
/// in real time with a pause after each, and a silent peer on the realtime channel takes the <c>transcript</c>
/// messages. Measured over the window: the server's CPU per speaker-minute, with the same speakers under a preset
/// without transcription as the baseline (the difference is the listener's decode, resampling and segmenting and the
/// engine's work); from the last speech packet of an utterance sent to its transcript at the peer; what was heard
/// after Opus and the SFU.
/// </summary>
public sealed class TranscriptionScenario(string repository, HttpClient http)
{
    private const int SampleRate = 16_000;
    private const int SamplesPerPacket = SampleRate / 50; // Opus frames of 20 ms
    private const string PocketSphinxModel = "/usr/share/pocketsphinx/model/en-us";
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(4);
    private readonly DtlsCertificate _certificate = DtlsCertificate.Create(TimeProvider.System);

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
        report.AppendLine("| engine | words | word error rate | audio, s | recognition, s | real-time factor |");
        report.AppendLine("|---|---|---|---|---|---|");
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

        report.AppendLine();
        report.AppendLine("| engine in the server | speakers | server CPU s per speaker-minute: without transcription / with | transcription's share | utterances heard / said | word error rate after Opus and the SFU | last speech packet sent → transcript at a peer: median / max |");
        report.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (name, options) in engines)
        {
            await using var server = new StagecastServer(repository, http, options: options);
            await server.StartAsync();
            await CreatePresetAsync(server);
            await MeasureAsync(server, spoken, 1, transcribed: true, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)); // the JIT and the engine's first utterance
            foreach (int count in speakers)
            {
                Console.WriteLine($"  {name}, {count} speaker(s) …");
                double without = baseline ? (await MeasureAsync(server, spoken, count, transcribed: false, warmup, window)).CpuPerSpeakerMinute : double.NaN;
                var with = await MeasureAsync(server, spoken, count, transcribed: true, warmup, window);
                var step = with with { Engine = name, BaselineCpuPerSpeakerMinute = without };
                Steps.Add(step);
                report.AppendLine(step.Row);
                Console.WriteLine($"  {step.Row}");
            }
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
        var took = TimeSpan.Zero;
        foreach (var sentence in spoken)
        {
            long started = Stopwatch.GetTimestamp();
            heard.Add((sentence.Text, engine.Recognize(sentence.Samples)));
            took += Stopwatch.GetElapsedTime(started);
        }

        double audio = spoken.Sum(s => s.Samples.Length) / (double)SampleRate;
        return new EngineResult(engine.Engine, heard, Rate(heard), audio, took.TotalSeconds);
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
    /// warm-up and the window, then pause for <see cref="Grace"/> while the last transcripts arrive.
    /// </summary>
    private async Task<MeetingStep> MeasureAsync(StagecastServer server, List<Spoken> spoken, int count, bool transcribed, TimeSpan warmup, TimeSpan window)
    {
        string meetingId = (await server.ApiAsync("/meetings", new { title = $"bench-{Guid.NewGuid():N}" })).GetProperty("id").GetString()!;
        string baseUrl = $"http://127.0.0.1:{server.HttpPort}";
        var heard = new List<(string PeerId, string Text, DateTimeOffset EndedAt, long Arrived)>();
        var observerToken = (await server.ApiAsync($"/meetings/{meetingId}/participants", new { custom_participant_id = "observer", preset_name = "group_call_participant" })).GetProperty("token").GetString()!;
        using var observer = await ChannelClient.JoinAsync(server, observerToken);
        observer.Events = message =>
        {
            if (message.GetProperty("type").GetString() == "transcript")
            {
                lock (heard)
                {
                    heard.Add((message.GetProperty("peer_id").GetString()!, message.GetProperty("text").GetString()!, message.GetProperty("ended_at").GetDateTimeOffset(), Stopwatch.GetTimestamp()));
                }
            }
        };

        var speakers = new List<Speaker>();
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

            using var talking = new CancellationTokenSource();
            var talk = Task.Run(() => TalkAsync(speakers, spoken, talking.Token));
            await Task.Delay(warmup);
            long windowStart = Stopwatch.GetTimestamp();
            double cpuBefore = ProcessMeter.CpuSeconds(server.Pid);
            await Task.Delay(window);
            double cpu = ProcessMeter.CpuSeconds(server.Pid) - cpuBefore;
            long windowEnd = Stopwatch.GetTimestamp();
            await talking.CancelAsync();
            await talk; // speakers are now in a pause: their last utterances end
            await WhileSilentAsync(speakers, Grace);

            // Each transcript is the utterance of its speaker whose speech ended nearest its ended_at; the delay is
            // from that speech's last packet sent to the transcript's arrival. Utterances that ended in the window count.
            var said = speakers.SelectMany(s => s.Said.Select(u => (s.Channel.PeerId, u.Text, u.EndedAt, u.Sent))).Where(u => u.Sent >= windowStart && u.Sent <= windowEnd).ToList();
            var delays = new List<double>();
            var pairs = new List<(string Said, string Heard)>();
            lock (heard)
            {
                foreach (var utterance in said)
                {
                    var match = heard.Where(h => h.PeerId == utterance.PeerId && h.Arrived > utterance.Sent)
                        .OrderBy(h => Math.Abs((h.EndedAt - utterance.EndedAt).TotalSeconds)).FirstOrDefault();
                    if (match.Text is not null && Math.Abs((match.EndedAt - utterance.EndedAt).TotalSeconds) < Pause.TotalSeconds)
                    {
                        heard.Remove(match);
                        delays.Add(Stopwatch.GetElapsedTime(utterance.Sent, match.Arrived).TotalMilliseconds);
                        pairs.Add((utterance.Text, match.Text));
                    }
                    else
                    {
                        pairs.Add((utterance.Text, ""));
                    }
                }
            }

            delays.Sort();
            return new MeetingStep("", count, 0, cpu / window.TotalMinutes / count, delays.Count, said.Count, said.Count > 0 ? Rate(pairs) : double.NaN, delays);
        }
        finally
        {
            foreach (var speaker in speakers)
            {
                await speaker.Whip.DisposeAsync();
                speaker.Channel.Dispose();
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>
    /// Every speaker says its sentences one after the other, a 20 ms Opus packet at a time in real time, each followed by
    /// <see cref="Pause"/> of silence; an utterance is noted when its last speech packet is sent. Once stopped, a speaker
    /// finishes the sentence it is saying and falls silent.
    /// </summary>
    private static async Task TalkAsync(List<Speaker> speakers, List<Spoken> spoken, CancellationToken stop)
    {
        long started = Stopwatch.GetTimestamp();
        long sent = 0;
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        while (await ticker.WaitForNextTickAsync(CancellationToken.None))
        {
            for (long due = (long)(Stopwatch.GetElapsedTime(started).TotalMilliseconds / 20); sent < due; sent++)
            {
                foreach (var speaker in speakers)
                {
                    var sentence = spoken[speaker.Sentence];
                    if (stop.IsCancellationRequested && (speaker.Packet == 0 || speaker.Packet >= sentence.SpeechPackets))
                    {
                        continue;
                    }

                    speaker.Sender.Send(sentence.Opus[speaker.Packet]);
                    if (speaker.Packet == sentence.SpeechPackets - 1)
                    {
                        speaker.Said.Add((sentence.Text, DateTimeOffset.UtcNow, Stopwatch.GetTimestamp()));
                    }

                    if (++speaker.Packet == sentence.Opus.Count)
                    {
                        speaker.Packet = 0;
                        speaker.Sentence = (speaker.Sentence + 1) % spoken.Count;
                    }
                }
            }

            if (stop.IsCancellationRequested && speakers.All(s => s.Packet == 0 || s.Packet >= spoken[s.Sentence].SpeechPackets))
            {
                return;
            }
        }
    }

    /// <summary>Opus silence from every speaker for <paramref name="length"/>, in real time: their last utterances end at the server.</summary>
    private static async Task WhileSilentAsync(List<Speaker> speakers, TimeSpan length)
    {
        long started = Stopwatch.GetTimestamp();
        long sent = 0;
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (Stopwatch.GetElapsedTime(started) < length && await ticker.WaitForNextTickAsync())
        {
            for (long due = (long)(Stopwatch.GetElapsedTime(started).TotalMilliseconds / 20); sent < due; sent++)
            {
                speakers.ForEach(s => s.Sender.Send());
            }
        }
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0..3].Aggregate((a, b) => $"{a} {b}");

    /// <summary>A sentence: its text, its 16 kHz samples, its Opus packets (speech, then the pause), how many of them are speech.</summary>
    private sealed record Spoken(string Text, short[] Samples, List<byte[]> Opus)
    {
        public int SpeechPackets { get; } = Math.Min(Opus.Count, (Samples.Length + SamplesPerPacket - 1) / SamplesPerPacket);
    }

    private sealed class Speaker(ChannelClient channel, WhipClient whip, RtpSender sender, int sentence)
    {
        public ChannelClient Channel { get; } = channel;

        public WhipClient Whip { get; } = whip;

        public RtpSender Sender { get; } = sender;

        public int Sentence { get; set; } = sentence;

        public int Packet { get; set; }

        /// <summary>Each utterance's end: its text, the wall clock and the Stopwatch timestamp when its last speech packet was sent.</summary>
        public List<(string Text, DateTimeOffset EndedAt, long Sent)> Said { get; } = [];
    }
}

/// <summary>An engine on the fixed sentences: what it heard, its word error rate, the audio's length and the time it took.</summary>
public sealed record EngineResult(string Engine, List<(string Said, string Heard)> Heard, double WordErrorRate, double AudioSeconds, double RecognitionSeconds)
{
    public double RealTimeFactor => RecognitionSeconds / AudioSeconds;

    public string Row => string.Create(CultureInfo.InvariantCulture,
        $"| {Engine} | {Heard.Sum(h => Stagecast.Speech.WordErrorRate.Words(h.Said).Length)} | {WordErrorRate:P0} | {AudioSeconds:F1} | {RecognitionSeconds:F2} | {RealTimeFactor:F3} |");
}

/// <summary>A meeting of speakers measured: CPU per speaker-minute with and without transcription, what was heard, the delays (ms, sorted).</summary>
public sealed record MeetingStep(string Engine, int Speakers, double BaselineCpuPerSpeakerMinute, double CpuPerSpeakerMinute, int Heard, int Said, double WordErrorRate, List<double> DelaysMs)
{
    public string Row => string.Create(CultureInfo.InvariantCulture,
        $"| {Engine} | {Speakers} | {Figure(BaselineCpuPerSpeakerMinute)} / {CpuPerSpeakerMinute:F2} | {Figure(CpuPerSpeakerMinute - BaselineCpuPerSpeakerMinute)} | {Heard} / {Said} | {(double.IsNaN(WordErrorRate) ? "-" : WordErrorRate.ToString("P0", CultureInfo.InvariantCulture))} | {Delays} |");

    /// <summary>A figure, or "not run" for one the run skipped (the baseline of the smoke).</summary>
    private static string Figure(double value) => double.IsNaN(value) ? "not run" : value.ToString("F2", CultureInfo.InvariantCulture);

    private string Delays => DelaysMs.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"{DelaysMs[DelaysMs.Count / 2]:F0} / {DelaysMs[^1]:F0} ms") : "-";
}
