using System.Globalization;

namespace Stagecast.Bench;

/// <summary>
/// An engine on the fixed sentences: what it heard, its word error rate, the audio's length, the time it took in all
/// and for each sentence (seconds), and the silence a speaker of the meetings leaves after each sentence.
/// </summary>
public sealed record EngineResult(string Engine, List<(string Said, string Heard)> Heard, double WordErrorRate, double AudioSeconds, double RecognitionSeconds,
    List<double> UtteranceSeconds, TimeSpan Pause)
{
    public double RealTimeFactor => RecognitionSeconds / AudioSeconds;

    /// <summary>
    /// Speakers one worker keeps up with, derived: a speaker says a sentence and pauses, so one sentence's
    /// recognition must fit in the sentence and its pause (the sentences' audio and pauses over their recognition).
    /// </summary>
    public double SpeakersPerWorker => (AudioSeconds + (Heard.Count * Pause.TotalSeconds)) / RecognitionSeconds;

    public string Row => string.Create(CultureInfo.InvariantCulture,
        $"| {Engine} | {Heard.Sum(h => Stagecast.Speech.WordErrorRate.Words(h.Said).Length)} | {WordErrorRate:P0} | {AudioSeconds:F1} | {RecognitionSeconds:F2} | {RealTimeFactor:F3} | " +
        $"{Percentile(UtteranceSeconds, 0.5):F2} / {UtteranceSeconds.Max():F2} s | {SpeakersPerWorker:F1} |");

    /// <summary>The nearest-rank percentile of the values (NaN when there are none).</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double q) =>
        values.Count == 0 ? double.NaN : values.Order().ElementAt(Math.Max(0, (int)Math.Ceiling(q * values.Count) - 1));
}

/// <summary>
/// A meeting of speakers measured, over the window: the server's CPU (seconds), what was heard and the delays (ms),
/// the utterances the server dropped and recognised from the talking's start to the last transcripts, the speakers'
/// audio packets sent and received by the silent peer through the SFU, and the SFU's forwarding delay (ms) meanwhile.
/// <see cref="Baseline"/> is the same meeting without transcription (null when the run skipped it).
/// </summary>
public sealed record MeetingStep(string Engine, int Speakers, double WindowSeconds, double CpuSeconds, int Heard, int Said, double WordErrorRate, List<double> DelaysMs,
    long Dropped, long Recognised, long AudioSent, long AudioReceived, double ForwardP50Ms, double ForwardP95Ms, MeetingStep? Baseline = null)
{
    public double CpuPercent => 100 * CpuSeconds / WindowSeconds;

    public double CpuPerSpeakerMinute => CpuSeconds / (WindowSeconds / 60) / Speakers;

    /// <summary>
    /// Kept up: every utterance said in the window came back as a transcript, the server dropped none, and 95 % of the
    /// transcripts came within <paramref name="cycle"/> (a sentence and its pause), so a speaker's transcript arrives
    /// before their next sentence ends and nothing piles up in the queue.
    /// </summary>
    public bool HeldInRealTime(TimeSpan cycle) => Heard == Said && Dropped == 0 && EngineResult.Percentile(DelaysMs, 0.95) <= cycle.TotalMilliseconds;

    public string Row => string.Create(CultureInfo.InvariantCulture,
        $"| {Engine} | {Speakers} | {Figure(Baseline?.CpuPercent, "F0")} / {CpuPercent:F0} % | {Figure(Baseline?.CpuPerSpeakerMinute, "F2")} / {CpuPerSpeakerMinute:F2} | " +
        $"{Figure(CpuPerSpeakerMinute - Baseline?.CpuPerSpeakerMinute, "F2")} | {Heard} / {Said} | {Dropped} | " +
        $"{(double.IsNaN(WordErrorRate) ? "-" : WordErrorRate.ToString("P0", CultureInfo.InvariantCulture))} | {Delays} |");

    /// <summary>What the silent peer received of the speakers' audio, and the SFU's forwarding delay, without and with transcription.</summary>
    public string MediaRow => string.Create(CultureInfo.InvariantCulture,
        $"| {Engine} | {Speakers} | {Audio(Baseline)} | {Audio(this)} | {Forward(Baseline)} | {Forward(this)} |");

    private string Delays => DelaysMs.Count > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{EngineResult.Percentile(DelaysMs, 0.5):F0} / {EngineResult.Percentile(DelaysMs, 0.95):F0} / {DelaysMs.Max():F0} ms")
        : "-";

    /// <summary>A figure, or "not run" for one the run skipped (the baseline of the smoke).</summary>
    private static string Figure(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "not run";

    private static string Audio(MeetingStep? step) => step is null ? "not run" : $"{step.AudioReceived} / {step.AudioSent}";

    private static string Forward(MeetingStep? step) => step is null || double.IsNaN(step.ForwardP50Ms)
        ? "-"
        : string.Create(CultureInfo.InvariantCulture, $"{step.ForwardP50Ms:F2} / {step.ForwardP95Ms:F2} ms");
}
