using Stagecast.Testing;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>
/// Headless Firefox ESR publishes over WHIP. Debian's Firefox has no H.264 encoder (no OpenH264), so it offers VP8:
/// Stagecast answers VP8 and transcodes it to H.264 for LL-HLS.
/// </summary>
public sealed class WhipFirefoxTests(FirefoxServerFixture server) : IClassFixture<FirefoxServerFixture>
{
    [Trait(LongLane.Trait, LongLane.Name)]
    [Fact]
    public async Task FirefoxPublishesVp8OverWhipAndTheStreamPlaysOverHlsAsH264AndAac()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        string whip = Uri.EscapeDataString($"{server.HttpBase}/{livestream.Id}/whip");
        await using var firefox = await Firefox.OpenAsync($"whip={whip}&key={livestream.StreamKey}");

        string published = await firefox.WaitForReportAsync("\"published\"", TimeSpan.FromSeconds(60));
        Assert.True(published.Contains("\"state\":\"connected\"", StringComparison.Ordinal), published);
        Assert.Contains("VP8/90000", published);

        await tenant.WaitForStatusAsync(livestream.Id, "LIVE", TimeSpan.FromSeconds(20));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl, TimeSpan.FromSeconds(30));
        // On a loaded machine a probe of the live edge can find one track alone (once the video, once the audio: the
        // transcoders of Firefox's VP8 and Opus each lag in turn); the stream carries both, as a later probe finds.
        var streams = await Eventually.MatchAsync(() => Ffmpeg.ProbeAsync(livestream.PlaybackUrl), found => found.Any(s => s.Codec == "aac") && found.Any(s => s.Codec == "h264"),
            "the livestream's video and audio over HLS", TimeSpan.FromSeconds(30), found => string.Join(", ", found));
        Assert.Contains(streams, s => s.Codec == "h264" && s.Width > 0);
        Assert.Contains(streams, s => s.Codec == "aac" && s.SampleRate == 48000);
        var (exitCode, _, errors) = await Ffmpeg.DecodeAsync(livestream.PlaybackUrl, 4);
        Assert.True(exitCode == 0 && errors.Length == 0, $"ffmpeg decoding Firefox's stream over HLS: exit {exitCode}: {errors}");
    }
}
