using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Programs;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Compositor;

/// <summary>Three people in Chromium make one program: watched over LL-HLS, it follows who is there and survives crashes.</summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class MeetingProgramBrowserTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const int Width = 640;
    private const int Height = 360;

    [Fact]
    public async Task ThreeParticipantsBecomeOneProgramThatFollowsALeaveAndSurvivesACrashedBrowserAndEncoder()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Program"}""");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        await using var doomed = await Browser.LaunchAsync(Browser.WebRtcArgs); // Cy's, killed below
        var tones = new Dictionary<string, int> { ["ada"] = 440, ["bob"] = 660, ["cy"] = 990 };
        var pages = new Dictionary<string, MeetingPage>();
        foreach (var (name, frequency) in tones)
        {
            var participant = await api.AddParticipantAsync(meeting, name, "group_call_participant");
            pages[name] = await MeetingPage.JoinAsync(name == "cy" ? doomed : browser, server.HttpBase, participant);
            await pages[name].PublishAsync($"tone:{frequency}");
        }

        var started = await api.PostAsync($"/meetings/{meeting}/livestreams", """{"video_config":{"width":640,"height":360}}""");
        Assert.Equal(HttpStatusCode.Created, started.Status);
        string id = started.Data.GetProperty("id").GetString()!;
        string playback = started.Data.GetProperty("playback_url").GetString()!;
        await api.WaitForStatusAsync(id, "LIVE");
        var program = server.App.Services.GetRequiredService<MeetingPrograms>().Find(meeting)!;
        await Eventually.TrueAsync(() => program.Feeds.Count == 3 && program.Feeds.Values.All(f => f.Pictures > 0), "the program to decode all three cameras",
            TimeSpan.FromSeconds(30));

        // What a player gets: H.264 and AAC of the asked size that decode cleanly.
        await server.WaitUntilPlayableAsync(playback);
        var streams = await Ffmpeg.ProbeAsync(playback);
        Assert.Contains(streams, s => s is { Codec: "h264", Width: Width, Height: Height });
        Assert.Contains(streams, s => s is { Codec: "aac", SampleRate: 48000 });

        // The mix carries each participant's tone, each far above a frequency nobody plays.
        var audio = await ProgramAudioAsync(playback, 4);
        double reference = Goertzel(audio, 1700);
        foreach (var (name, frequency) in tones)
        {
            double energy = Goertzel(audio, frequency);
            Assert.True(energy > 20 * reference, $"{name}'s {frequency} Hz: {energy:E2} against {reference:E2} at 1700 Hz");
        }

        Assert.True(audio.Max(Math.Abs) < 32767, "the mix clipped");

        // Bob leaves: the layout changes (three tiles in a 2x2 grid become two in a row), the program goes on.
        double before = BackgroundShare(await ProgramPictureAsync(playback));
        await pages["bob"].RequestAsync("leave", new { });
        await Eventually.TrueAsync(() => program.Feeds.Count == 2, "Bob's camera to leave the program");
        await Eventually.MatchAsync(async () => BackgroundShare(await ProgramPictureAsync(playback)), after => Math.Abs(after - before) > 0.1,
            $"the picture to change from {before:P0} background", TimeSpan.FromSeconds(30));

        // Cy's browser dies: the program does not stop; its tile goes (name tile, then gone with its source).
        await doomed.KillAsync();
        await AssertStillLiveAsync(api, id, playback);
        await Eventually.TrueAsync(() => program.Feeds.Count == 1, "Cy's camera to leave the program", TimeSpan.FromSeconds(40));

        // The encoder is killed: another takes over and the livestream stays LIVE.
        int encoder = program.Encoder.VideoProcessId ?? throw new InvalidOperationException("no encoder runs");
        Process.GetProcessById(encoder).Kill();
        await Eventually.TrueAsync(() => program.Encoder.Restarts > 0 && program.Encoder.VideoProcessId is { } next && next != encoder, "a new encoder");
        await AssertStillLiveAsync(api, id, playback);
    }

    private async Task AssertStillLiveAsync(StagecastApiClient api, string id, string playback)
    {
        var decoded = await Ffmpeg.DecodeAsync(playback, 3);
        Assert.True(decoded.ExitCode == 0, decoded.Error);
        Assert.Equal("LIVE", (await api.GetLivestreamAsync(id)).GetProperty("livestream").GetProperty("status").GetString());
    }

    /// <summary>One picture of the program as a player sees it now: its luma plane.</summary>
    private static async Task<byte[]> ProgramPictureAsync(string playback)
    {
        string file = Path.Combine(Path.GetTempPath(), $"program-{Guid.NewGuid():N}.gray");
        try
        {
            var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg",
                ["-hide_banner", "-v", "error", "-i", playback, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p", file], TimeSpan.FromSeconds(30));
            Assert.True(exitCode == 0, error);
            return (await File.ReadAllBytesAsync(file))[..(Width * Height)]; // the Y plane, as encoded (limited range)
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Mono 48 kHz samples of the program's audio.</summary>
    private static async Task<short[]> ProgramAudioAsync(string playback, int seconds)
    {
        string file = Path.Combine(Path.GetTempPath(), $"program-{Guid.NewGuid():N}.pcm");
        try
        {
            var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg",
                ["-hide_banner", "-v", "error", "-i", playback, "-vn", "-t", seconds.ToString(CultureInfo.InvariantCulture), "-ac", "1", "-ar", "48000", "-f", "s16le", file],
                TimeSpan.FromSeconds(seconds + 30));
            Assert.True(exitCode == 0, error);
            byte[] bytes = await File.ReadAllBytesAsync(file);
            var samples = new short[bytes.Length / 2];
            Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 2);
            return samples;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The share of the picture in the program's background colour (luma 40): what the tiles leave uncovered.</summary>
    private static double BackgroundShare(byte[] luma)
    {
        Assert.Equal(Width * Height, luma.Length);
        return luma.Count(y => Math.Abs(y - 40) <= 4) / (double)luma.Length;
    }

    /// <summary>The signal's power at one frequency (Goertzel), normalised by length.</summary>
    private static double Goertzel(short[] samples, double frequency)
    {
        double coefficient = 2 * Math.Cos(2 * Math.PI * frequency / 48000);
        double previous = 0;
        double beforePrevious = 0;
        foreach (short sample in samples)
        {
            double current = sample + (coefficient * previous) - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }

        return ((previous * previous) + (beforePrevious * beforePrevious) - (coefficient * previous * beforePrevious)) / samples.Length;
    }
}
