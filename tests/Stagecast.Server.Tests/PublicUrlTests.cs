using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Hosting;

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

    [Theory]
    [InlineData("--public-url", "ftp://example.com", "--public-url 'ftp://example.com' must be an absolute http(s) URL")]
    [InlineData("--rtmp-url", "example.com", "--rtmp-url 'example.com' must be an absolute rtmp(s) URL")]
    public void InvalidUrlsAreStartupErrors(string flag, string value, string message)
    {
        var error = Assert.Throws<StartupException>(() => StagecastApp.Build([flag, value]));
        Assert.Equal(message, error.Message);
    }
}
