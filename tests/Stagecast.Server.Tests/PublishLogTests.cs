using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.MediaPlane;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>
/// The publish log's start line waits for the hub's word that the stream's tracks are known: for both declared tracks'
/// configurations, or the hub's wait for them to pass (what its own polling for three seconds did before).
/// </summary>
[Trait("Category", "InProcess")]
public sealed class PublishLogTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly CapturedLogs _logs = new();
    private readonly LoggerFactory _loggers;
    private readonly StreamHub _hub;

    public PublishLogTests()
    {
        _loggers = new LoggerFactory([_logs]);
        var log = new PublishLog(UnnamedLivestreams.Create(), _time, _loggers.CreateLogger<PublishLog>());
        _hub = new StreamHub(Options.Create(new StreamHubOptions()), _time, [log], _loggers.CreateLogger<StreamHub>());
    }

    public void Dispose() => _loggers.Dispose();

    [Fact]
    public async Task TheStartLineWaitsForBothDeclaredTracksAndDescribesThem()
    {
        var publisher = PublishVideoDeclaringAudioToo("ls-1");
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(_logs.Lines, l => l.Message.Contains("is live", StringComparison.Ordinal));

        publisher.SetAudioConfig(SyntheticMedia.Audio48k);
        await Eventually.TrueAsync(() => _logs.Lines.Any(l => l.Message.Contains("is live", StringComparison.Ordinal)), "the start line");
        Assert.Contains(_logs.Lines, l => l.Message == "Livestream (unnamed) (ls-1) is live: srt from 127.0.0.1:5000, H.264 1280x720, AAC 48 kHz stereo");
    }

    [Fact]
    public async Task AStreamWhoseTracksNeverComeIsLoggedLiveWhenTheHubStopsWaiting()
    {
        var publisher = PublishVideoDeclaringAudioToo("ls-2");
        _time.Advance(new StreamHubOptions().TrackWait);

        await Eventually.TrueAsync(() => _logs.Lines.Any(l => l.Message.Contains("is live", StringComparison.Ordinal)), "the start line");
        Assert.Contains(_logs.Lines, l => l.Message.EndsWith("(ls-2) is live: srt from 127.0.0.1:5000, H.264 1280x720, no audio", StringComparison.Ordinal));
        publisher.Unpublish();
        await Eventually.TrueAsync(() => _logs.Lines.Any(l => l.Message.Contains("ended after", StringComparison.Ordinal)), "the end line");
        Assert.Single(_logs.Lines, l => l.Message.Contains("is live", StringComparison.Ordinal));
    }

    /// <summary>A publisher that declares video and audio and has configured its video.</summary>
    private Publisher PublishVideoDeclaringAudioToo(string id)
    {
        Assert.Equal(PublishResult.Started, _hub.TryPublish(id, new PublisherInfo("srt", "127.0.0.1:5000"), out var publisher));
        publisher!.DeclareTracks(StreamTracks.Video | StreamTracks.Audio);
        publisher.SetVideoConfig(SyntheticMedia.Video720p);
        return publisher;
    }

    /// <summary>A store that knows no livestream: the log names each "(unnamed)".</summary>
    public class UnnamedLivestreams : DispatchProxy
    {
        public static ILivestreamStore Create() => Create<ILivestreamStore, UnnamedLivestreams>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(ILivestreamStore.FindLivestreamAsync) ? Task.FromResult<Livestream?>(null) : throw new NotSupportedException(targetMethod.Name);
    }
}
