using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Hosting;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

public sealed class PublicUrlTests
{
    [Theory]
    [InlineData("https://live.example.com/", "rtmp://ingest.example.com", "https://live.example.com/ID/manifest/video.m3u8", "rtmp://ingest.example.com/live")]
    [InlineData("https://example.com/stagecast", "rtmps://ingest.example.com:443/live/", "https://example.com/stagecast/ID/manifest/video.m3u8", "rtmps://ingest.example.com:443/live")]
    public async Task ConfiguredUrlsShapeIngestServerAndPlaybackUrl(string publicUrl, string rtmpUrl, string playback, string ingest)
    {
        string dataDir = Directory.CreateTempSubdirectory("stagecast-urls-").FullName;
        await using var app = StagecastApp.Build(
            ["--http-port", "0", "--rtmp-port", "0", "--webrtc-port", "0", "--metrics-bind", "127.0.0.1:0", "--bind", "127.0.0.1", "--data-dir", dataDir, "--public-url", publicUrl, "--rtmp-url", rtmpUrl]);
        var urls = app.Services.GetRequiredService<PublicUrls>();
        Assert.Equal(playback, urls.PlaybackUrl("ID"));
        Assert.Equal(ingest, urls.IngestServer);
    }

    [Fact]
    public async Task WithOnlyAPublicUrlEveryIngestUrlNamesItsHost()
    {
        // A by-hand deploy names its public URL only: OBS was handed rtmp://127.0.0.1 (the bind address) while the
        // RTMPS and SRT URLs named the public host.
        await using var own = (await ServerFixture.StartAsync(["--public-url", "https://live.example.com"])).AsAsyncDisposable(out var server);
        var endpoints = server.App.Services.GetRequiredService<ListeningEndpoints>();
        var api = (await server.NewTenantAsync()).WithClient(new HttpClient { BaseAddress = new Uri($"http://{endpoints.HttpEndPoint}") });
        var livestream = await api.CreateLivestreamAsync();
        Assert.Equal($"rtmp://live.example.com:{endpoints.RtmpEndPoint.Port}/live", livestream.IngestServer);
        Assert.StartsWith("srt://live.example.com:", livestream.SrtUrl);
    }

    [Theory]
    [InlineData("--public-url", "ftp://example.com", "--public-url 'ftp://example.com' must be an absolute http(s) URL")]
    [InlineData("--rtmp-url", "example.com", "--rtmp-url 'example.com' must be an absolute rtmp(s) URL")]
    public void InvalidUrlsAreStartupErrors(string flag, string value, string message)
    {
        var error = Assert.Throws<StartupException>(() => StagecastApp.Build([flag, value]));
        Assert.Equal(message, error.Message);
    }
}
