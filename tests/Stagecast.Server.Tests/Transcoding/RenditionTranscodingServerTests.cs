using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Media.Codecs;
using Stagecast.Streaming.Renditions;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Transcoding;

/// <summary>
/// The transcoders as the server composes them: they take the ladder lookup the server has (livestreams' own, the source
/// alone for a stream that is no livestream), make an RTMP publisher's renditions into the rendition hub, and report
/// their state; a wrong <c>--transcode-hwaccel</c> stops the start with one line.
/// </summary>
public sealed class RenditionTranscodingServerTests
{
    [Fact]
    public async Task AnRtmpPublishersLadderIsEncodedWithTheLookupTheServerHas()
    {
        await using var own = (await ServerFixture.StartAsync([], builder => builder.Services.AddSingleton<IRenditionLadders, TwoRungs>())).AsAsyncDisposable(out var server);
        var livestream = await (await server.NewTenantAsync()).CreateLivestreamAsync();
        var renditions = server.App.Services.GetRequiredService<RenditionHub>();
        var status = server.App.Services.GetRequiredService<IRenditionStatus>();

        await using (Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60, "320x180")))
        {
            await Eventually.TrueAsync(() => status.Of(livestream.Id) is [{ State: RenditionState.Live }], "the 180p rendition live");
            var stream = renditions.Hub.Find(RenditionHub.StreamId(livestream.Id, RenditionLadder.Find("180p")!))!;
            Assert.Equal((320, 180, VideoCodec.H264), (stream.Video!.Width, stream.Video.Height, stream.Video.Codec));
            Assert.NotNull(stream.Audio);
            Assert.Null(renditions.Hub.Find(RenditionHub.StreamId(livestream.Id, RenditionLadder.Find("360p")!))); // never upscaled
            // The gauge is the process's: other test classes' servers may have encodes live too.
            Assert.Matches(@"stagecast_renditions_live [1-9]\d*\b", await server.MetricsAsync());
        }

        await Eventually.TrueAsync(() => renditions.Hub.Streams.Count == 0 && status.Of(livestream.Id).Count == 0, "the rendition ended with the broadcast");
    }

    [Fact]
    public async Task AStreamThatIsNoLivestreamIsItsSourceAlone()
    {
        await using var app = StagecastApp.Build(["--data-dir", Directory.CreateTempSubdirectory("stagecast-transcode-").FullName]);
        var ladders = app.Services.GetRequiredService<IRenditionLadders>();
        Assert.Equal(RenditionLadder.SourceOnly, (await ladders.LadderAsync("any", CancellationToken.None)).Renditions);
    }

    [Fact]
    public async Task AnUnknownHwAccelEndsTheStartWithOneLineNamingTheFlag()
    {
        string dataDir = Directory.CreateTempSubdirectory("stagecast-transcode-").FullName;
        var (exitCode, _, error) = await ExternalProcess.RunAsync("dotnet",
            [ServerProcess.ServerDll, "--bind", "127.0.0.1", "--data-dir", dataDir, "--http-port", FreePorts.Next().ToString(), "--rtmp-port", FreePorts.Next().ToString(),
             "--webrtc-port", "0", "--srt-port", "0", "--metrics-bind", "127.0.0.1:0", "--transcode-hwaccel", "cuda"], TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        Assert.Equal("stagecast: --transcode-hwaccel must be none, auto, nvenc, vaapi or qsv", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    /// <summary>Every livestream asks for 360p and 180p (the API's lookup reads each one's own).</summary>
    private sealed class TwoRungs : IRenditionLadders
    {
        public ValueTask<StreamLadder> LadderAsync(string streamId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new StreamLadder([Rendition.Source, RenditionLadder.Find("360p")!, RenditionLadder.Find("180p")!], ""));
    }
}
