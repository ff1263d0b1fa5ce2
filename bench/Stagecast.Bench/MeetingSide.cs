using System.Globalization;
using System.Text;

namespace Stagecast.Bench;

/// <summary>
/// The meeting side's costs for the main run's report (bench/README.md, "Results"): a webinar (three hosts on the
/// stage, attendees watching the three over meeting WHEP: CPU and memory per attendee), WHEP viewers of one 720p
/// stream per core of the server's CPU, and each speech engine's real-time factor with one speaker's CPU in a meeting.
/// Stagecast's JIT build alone: nginx-rtmp has no WebRTC and no speech. Each part starts a server of its own, through
/// the scenario that measures it at length (<c>--scenario webinar</c>, <c>webrtc</c>, <c>transcription</c>).
/// </summary>
public sealed class MeetingSide(string repository, HttpClient http, BenchSettings settings)
{
    /// <summary>LiveKit's published WHEP-like fan-out, the issue's reference (their benchmark, their machines).</summary>
    private const string LiveKitPerCore = "about 200 (LiveKit's published figure, their machines)";

    private const string Start = "<!-- meeting-side:start -->";
    private const string End = "<!-- meeting-side:end -->";

    /// <summary>What one run measured; a part not run is null or empty.</summary>
    public sealed record Figures(WebinarStep? Webinar, FanOutStep? FanOut, int FanOutLargestTried, List<EngineResult> Engines, List<MeetingStep> Speakers);

    /// <summary>
    /// A webinar of <paramref name="attendees"/>, WHEP viewers in <paramref name="viewerSteps"/> (the largest step held
    /// gives the figure), and, unless <paramref name="speech"/> is false, PocketSphinx and (with a model) whisper on
    /// <paramref name="sentences"/> sentences and in a meeting of one speaker.
    /// </summary>
    public async Task<Figures> RunAsync(int attendees, int[] viewerSteps, bool speech, string? whisperModel, int sentences = int.MaxValue)
    {
        Console.WriteLine($"\n== meeting side: a webinar of {attendees} attendees ==");
        var webinar = new WebinarScenario(repository, http, settings.Warmup, settings.Window);
        await webinar.RunAsync([attendees]);

        Console.WriteLine($"\n== meeting side: WHEP viewers of one 720p stream ({string.Join(", ", viewerSteps)}) ==");
        var fanOut = new WebRtcScenario(repository, http, settings.Warmup, settings.Window);
        await fanOut.RunAsync(viewerSteps, whipPublisher: false);

        var transcription = new TranscriptionScenario(repository, http);
        if (speech)
        {
            Console.WriteLine("\n== meeting side: speech, each engine alone and with one speaker in a meeting ==");
            await transcription.RunAsync(whisperModel, [1], settings.Warmup, TimeSpan.FromSeconds(20), sentences);
        }

        return new Figures(webinar.Steps.LastOrDefault(), fanOut.Steps.LastOrDefault(s => s.Healthy), viewerSteps.Max(), transcription.Engines, transcription.Steps);
    }

    /// <summary>The meeting side's table, between the markers <see cref="UpdateReadme"/> replaces.</summary>
    public static string Render(Figures figures)
    {
        var text = new StringBuilder();
        text.AppendLine(Start);
        text.AppendLine(CultureInfo.InvariantCulture, $"The meeting side (Stagecast JIT alone; nginx-rtmp has no WebRTC or speech), run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC:");
        text.AppendLine();
        text.AppendLine("| Metric | Stagecast JIT | Reference |");
        text.AppendLine("|---|---|---|");
        if (figures.Webinar is { } webinar)
        {
            string of = $"webinar of 3 hosts (640x360 at 600 kbit/s each) and {webinar.Attendees} attendees watching the three over WHEP";
            string held = webinar.Healthy ? "" : " (not held: a subscription fell under 90 % of what a host sent)";
            text.AppendLine(CultureInfo.InvariantCulture, $"| Server CPU, % of one core, {of} | {webinar.CpuPercent:F0}{held} | – |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| CPU s per attendee per minute (beyond the hosts alone), same webinar | {webinar.CpuPerAttendeeMinute:F3} | – |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| Resident memory per attendee (beyond the hosts alone), MiB, same webinar | {webinar.MemoryPerAttendeeMiB:F2} | – |");
        }

        text.AppendLine(figures.FanOut is { } fanOut
            ? string.Create(CultureInfo.InvariantCulture,
                $"| WHEP viewers of one 720p 2.5 Mbit/s stream per core of server CPU (at {fanOut.Viewers} viewers, the largest step held: {fanOut.CpuPercent:F0} % of one core) | {fanOut.ViewersPerCore:F0} | {LiveKitPerCore} |")
            : $"| WHEP viewers of one 720p 2.5 Mbit/s stream per core of server CPU | – (no step held, up to {figures.FanOutLargestTried}) | {LiveKitPerCore} |");
        foreach (var engine in figures.Engines)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| Speech, {engine.Engine}: real-time factor (recognition over audio, one worker; {engine.WordErrorRate:P0} word errors on espeak-ng's voice) | {engine.RealTimeFactor:F3} | – |");
        }

        foreach (var step in figures.Speakers)
        {
            string share = step.Baseline is { } baseline
                ? string.Create(CultureInfo.InvariantCulture, $"{step.CpuPerSpeakerMinute - baseline.CpuPerSpeakerMinute:F2} (of {step.CpuPerSpeakerMinute:F2} with its media)")
                : string.Create(CultureInfo.InvariantCulture, $"{step.CpuPerSpeakerMinute:F2} (with its media)");
            text.AppendLine(CultureInfo.InvariantCulture, $"| Speech, {step.Engine}: CPU s per speaker per minute of a live transcript, one speaker in a meeting | {share} | – |");
        }

        text.AppendLine(End);
        return text.ToString();
    }

    /// <summary>Replaces the meeting side's table in <paramref name="readme"/> (a run of <c>--scenario meeting-side</c> alone).</summary>
    public static void UpdateReadme(string readme, string table)
    {
        string text = File.ReadAllText(readme);
        int start = text.IndexOf(Start, StringComparison.Ordinal);
        int end = text.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException($"{readme} has no meeting side's table to replace (run the whole benchmark once)");
        }

        File.WriteAllText(readme, text[..start] + table.TrimEnd('\n') + text[(end + End.Length)..]);
    }
}
