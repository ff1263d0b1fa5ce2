using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Streaming;
using Stagecast.Testing;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>A transcoder that dies is started again and the stream carries on, audio included.</summary>
public sealed class TranscoderRestartTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task KillingTheOpusToAacFfmpegLeavesTheStreamLiveWithAudio()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await browser.OpenAsync("webrtc.html");
        await page.EvaluateAsync("([url, key]) => whipPublish(url, key)", new[] { $"{server.HttpBase}/{livestream.Id}/whip", livestream.StreamKey });
        await tenant.WaitForStatusAsync(livestream.Id, "LIVE", TimeSpan.FromSeconds(20));

        var session = await server.WhipSessionAsync(livestream.Id);
        var transcoder = session.AudioTranscoder!;
        // The transcoder starts at the first Opus packet, which may come after the stream went live on its video.
        int pid = (await Eventually.MatchAsync(() => transcoder.ProcessId, id => id is not null, "the Opus to AAC transcoder to start"))!.Value;
        Process.GetProcessById(pid).Kill();

        var stream = server.App.Services.GetRequiredService<StreamHub>().Find(livestream.Id)!;
        using var reader = stream.AddReader("test-audio", new ReaderOptions { StartWithCachedGop = false });
        int audioFrames = 0;
        await Eventually.TrueAsync(() =>
        {
            while (reader.TryRead(out var frame))
            {
                audioFrames += frame.Kind == MediaFrameKind.Audio ? 1 : 0;
                frame.Release();
            }

            return audioFrames > 100;
        }, "AAC frames from the restarted transcoder");

        Assert.Equal(1, transcoder.Restarts);
        Assert.NotEqual(pid, transcoder.ProcessId);
        Assert.Equal("LIVE", (await tenant.GetLivestreamAsync(livestream.Id)).GetProperty("livestream").GetProperty("status").GetString());
    }
}
