using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stagecast.FfmpegProcesses;
using Stagecast.Media;
using Stagecast.Media.Codecs;
using Stagecast.Server.Features.Thumbnails;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Thumbnails;

/// <summary>
/// What is decoded when, on a hub of its own with real ffmpeg: one decode per keyframe and width, a newer keyframe's
/// once the kept picture is old enough, the picture before answering while the next is made, a keyframe ffmpeg cannot
/// decode not tried again; and the widths asked for.
/// </summary>
[Trait("Category", "InProcess")]
public sealed class ThumbnailServiceTests : IDisposable
{
    private static readonly PublisherInfo Encoder = new("rtmp", "127.0.0.1:5000");
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("stagecast-thumbnails-");
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new();
    private readonly FfmpegLauncher _ffmpeg = new("ffmpeg", TimeProvider.System);
    private readonly ThumbnailService _thumbnails;
    private readonly StreamHub _hub;

    public ThumbnailServiceTests()
    {
        _thumbnails = new ThumbnailService(new KeyframeDecoder(_ffmpeg, NullLogger<KeyframeDecoder>.Instance), Options.Create(new ThumbnailOptions()),
            new ThumbnailMetrics(_meters.GetRequiredService<IMeterFactory>()), _time, NullLogger<ThumbnailService>.Instance);
        _hub = TestHub.Create(observers: _thumbnails);
    }

    [Fact]
    public async Task AKeyframesPictureIsMadeOnceAndANewerOnesWhenItIsOldEnoughWhileItAnswers()
    {
        var publisher = Publish();
        var stream = publisher.Stream;
        await WriteKeyframeAsync(publisher, "red", 0);

        var red = await _thumbnails.GetAsync(stream, 160, CancellationToken.None);
        Assert.NotNull(red);
        Assert.Equal(1, red.Keyframe);
        Assert.Same(red, Answered(_thumbnails.GetAsync(stream, 160, CancellationToken.None))); // from memory, at once
        Assert.Equal(0, _thumbnails.PendingDecodes); // and no decode started

        await WriteKeyframeAsync(publisher, "blue", 1000);
        _time.Advance(new ThumbnailOptions().RefreshInterval - TimeSpan.FromMilliseconds(1));
        Assert.Same(red, Answered(_thumbnails.GetAsync(stream, 160, CancellationToken.None))); // not old enough to make blue's
        Assert.Equal(0, _thumbnails.PendingDecodes);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Same(red, Answered(_thumbnails.GetAsync(stream, 160, CancellationToken.None))); // blue's is being made
        var blue = await Eventually.MatchAsync(() => _thumbnails.GetAsync(stream, 160, CancellationToken.None), p => p?.Keyframe == 2, "blue's picture");
        Assert.NotEqual(red.Jpeg, blue!.Jpeg);
        Assert.NotEqual(red.ETag, blue.ETag);

        // Another width is a picture of its own, of the newest keyframe; wider than the source is the source's width.
        var wide = await _thumbnails.GetAsync(stream, 1920, CancellationToken.None);
        Assert.Equal(2, wide!.Keyframe);
        Assert.Same(wide, Answered(_thumbnails.GetAsync(stream, 640, CancellationToken.None))); // 640 is 320 too
        Assert.Equal(0, _thumbnails.PendingDecodes);

        publisher.Unpublish();
        Assert.Null(await _thumbnails.GetAsync(stream, 160, CancellationToken.None)); // its pictures went with it
    }

    [Fact]
    public async Task AKeyframeFfmpegCannotDecodeIsNotTriedAgainAndTheNextOneIs()
    {
        var publisher = Publish();
        var (config, _) = await EncodeKeyframeAsync("green");
        publisher.SetVideoConfig(config);
        publisher.Write(MediaFrame.Copy(MediaFrameKind.Video, [0, 0, 0, 5, 0x65, 0xFF, 0xFF, 0xFF, 0xFF], 0, 0, true));

        Assert.Null(await _thumbnails.GetAsync(publisher.Stream, 160, CancellationToken.None));
        Assert.Null(Answered(_thumbnails.GetAsync(publisher.Stream, 160, CancellationToken.None))); // not waiting for another decode
        Assert.Equal(0, _thumbnails.PendingDecodes); // nor starting one
        Assert.Equal(HubStreamState.Live, publisher.Stream.State);

        await WriteKeyframeAsync(publisher, "green", 1000);
        Assert.Equal(2, (await _thumbnails.GetAsync(publisher.Stream, 160, CancellationToken.None))!.Keyframe);
    }

    [Theory]
    [InlineData(null, 640)]
    [InlineData("16", 16)]
    [InlineData("1920", 1920)]
    [InlineData("320", 320)]
    public void AWidthIsAnEvenNumberFrom16To1920(string? text, int width)
    {
        Assert.True(ThumbnailWidth.TryParse(text, out int parsed));
        Assert.Equal(width, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("14")]
    [InlineData("15")]
    [InlineData("321")]
    [InlineData("1922")]
    [InlineData("-16")]
    [InlineData("+16")]
    [InlineData(" 16")]
    [InlineData("16.0")]
    [InlineData("1e3")]
    [InlineData("99999999999")]
    [InlineData("160,320")]
    public void AnyOtherWidthIsRefused(string text) => Assert.False(ThumbnailWidth.TryParse(text, out _));

    [Theory]
    [InlineData(640, 1280, 640)]
    [InlineData(640, 320, 320)]
    [InlineData(1920, 1279, 1278)]
    [InlineData(16, 8, 8)]
    [InlineData(16, 1, 2)]
    [InlineData(16, 1280, 160)]
    [InlineData(162, 1280, 320)]
    [InlineData(1282, 1920, 1920)]
    [InlineData(1282, 1600, 1600)]
    public void APictureIsOfTheNextSizeUpAndNeverWiderThanItsSource(int asked, int source, int width) => Assert.Equal(width, ThumbnailWidth.For(asked, source));

    public void Dispose()
    {
        _ffmpeg.Dispose();
        _meters.Dispose();
        _scratch.Delete(recursive: true);
    }

    private Publisher Publish()
    {
        Assert.Equal(PublishResult.Started, _hub.TryPublish(Guid.NewGuid().ToString(), Encoder, out var publisher));
        return publisher!;
    }

    /// <summary>The answer of a call that did not wait (for a decode): it completed as it returned.</summary>
    private static ThumbnailPicture? Answered(Task<ThumbnailPicture?> answer)
    {
        Assert.True(answer.IsCompleted, "the answer waited for a decode");
        return answer.Result;
    }

    private async Task WriteKeyframeAsync(Publisher publisher, string color, long timestamp)
    {
        var (config, sample) = await EncodeKeyframeAsync(color);
        publisher.SetVideoConfig(config);
        publisher.Write(MediaFrame.Copy(MediaFrameKind.Video, sample, timestamp, 0, true));
    }

    /// <summary>One picture of a color encoded by ffmpeg, as the hub carries it: its configuration and the length-prefixed keyframe.</summary>
    private async Task<(VideoTrackConfig Config, byte[] Sample)> EncodeKeyframeAsync(string color)
    {
        string file = Path.Combine(_scratch.FullName, $"{color}.h264");
        var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg",
            ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"color=c={color}:size=320x180", "-frames:v", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "h264", file],
            TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, error);
        var converter = new AnnexBConverter(VideoCodec.H264);
        Assert.True(converter.TryConvert(await File.ReadAllBytesAsync(file), out byte[]? buffer, out int length, out bool keyframe));
        Assert.True(keyframe);
        byte[] sample = buffer.AsSpan(0, length).ToArray();
        MediaBufferPool.Shared.Return(buffer!);
        return (VideoTrackConfig.Parse(VideoCodec.H264, converter.ConfigurationRecord()!), sample);
    }
}
