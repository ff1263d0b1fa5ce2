using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Media.Codecs;
using Stagecast.Testing;

namespace Stagecast.Streaming.Tests;

/// <summary>
/// The hub's wait for a publisher's declared tracks: nothing reaches readers until every declared track is configured,
/// then readers start with both configurations at a keyframe; a track that never comes is given up after the wait.
/// </summary>
public sealed class StreamTracksTests : IDisposable
{
    private static readonly VideoTrackConfig Video = VideoTrackConfig.Parse(VideoCodec.H264, GoldenVectors.AvcRecord720p);
    private static readonly AudioTrackConfig Audio = AudioTrackConfig.ParseAac(GoldenVectors.AacLc48kStereo);

    private readonly FakeTimeProvider _time = new();
    private readonly TracksObserver _observer = new();
    private readonly CapturedLogs _logs = new();
    private readonly LoggerFactory _loggers;
    private readonly StreamHub _hub;

    public StreamTracksTests()
    {
        _loggers = new LoggerFactory([_logs]);
        _hub = new StreamHub(Options.Create(new StreamHubOptions()), _time, [_observer], _loggers.CreateLogger<StreamHub>());
    }

    public void Dispose() => _loggers.Dispose();

    private string Logged => string.Join('\n', _logs.Lines.Select(l => l.Message));

    [Fact]
    public void VideoSentFirstWaitsForTheAudiosConfigurationThenReadersStartAtAKeyframeWithBoth()
    {
        var publisher = Publish();
        using var reader = publisher.Stream.AddReader("early");
        publisher.DeclareTracks(StreamTracks.Video | StreamTracks.Audio);
        publisher.SetMetadata(new StreamMetadata(1280, 720, 30, null, null, "test"));
        publisher.SetVideoConfig(Video);
        publisher.Write(VideoFrame(0, key: true));
        publisher.Write(VideoFrame(33, key: false));
        publisher.Write(VideoFrame(66, key: true));
        publisher.Write(VideoFrame(99, key: false));
        using var during = publisher.Stream.AddReader("during");

        Assert.Empty(Drain(reader)); // neither configurations nor media
        Assert.Empty(Drain(during));
        Assert.False(publisher.Stream.TracksKnown);
        Assert.Empty(_observer.Known);

        publisher.SetAudioConfig(Audio);
        publisher.Write(AudioFrame(100));
        publisher.Write(VideoFrame(132, key: false));

        string[] expected = ["VideoConfig", "AudioConfig", "Metadata", "Video 66 key", "Video 99", "Audio 100", "Video 132"];
        Assert.Equal(expected, Drain(reader));
        Assert.Equal(expected, Drain(during));
        Assert.True(publisher.Stream.TracksKnown);
        Assert.Equal(["s1"], _observer.Known);

        // A reader coming now starts at the cached keyframe, as any late reader does.
        using var late = publisher.Stream.AddReader("late");
        Assert.Equal(expected, Drain(late));
        Assert.DoesNotContain("goes on without", Logged);
    }

    [Fact]
    public void ConfigurationsBeforeAnyPictureLetMediaGoOnAsItComesAndAudioOnlyStreamsKeepTheirAudio()
    {
        var both = Publish();
        using var reader = both.Stream.AddReader("r");
        both.DeclareTracks(StreamTracks.Video | StreamTracks.Audio);
        both.SetAudioConfig(Audio);
        both.Write(AudioFrame(0)); // held, and older than any picture: left behind
        Assert.Empty(Drain(reader));
        both.SetVideoConfig(Video);
        both.Write(AudioFrame(21));
        both.Write(VideoFrame(30, key: true));
        Assert.Equal(["VideoConfig", "AudioConfig", "Audio 21", "Video 30 key"], Drain(reader));

        var audioOnly = Publish("s2");
        using var audioReader = audioOnly.Stream.AddReader("r");
        audioOnly.DeclareTracks(StreamTracks.Audio);
        audioOnly.Write(AudioFrame(0)); // no configuration: no frame an ingest would send, held all the same
        audioOnly.SetAudioConfig(Audio);
        audioOnly.Write(AudioFrame(21));
        Assert.Equal(["AudioConfig", "Audio 0", "Audio 21"], Drain(audioReader));
        Assert.Equal(["s1", "s2"], _observer.Known);
    }

    [Fact]
    public void APublisherThatDeclaresOneTrackGoesOnAsSoonAsItIsConfigured()
    {
        var publisher = Publish();
        using var reader = publisher.Stream.AddReader("r");
        publisher.DeclareTracks(StreamTracks.Video);
        publisher.SetVideoConfig(Video);
        Assert.True(publisher.Stream.TracksKnown);
        Assert.Equal(["s1"], _observer.Known);

        publisher.Write(VideoFrame(0, key: true));
        Assert.Equal(["VideoConfig", "Video 0 key"], Drain(reader));
        Assert.Equal(StreamTracks.Video, publisher.Stream.DeclaredTracks);
    }

    [Fact]
    public void ADeclaredTrackThatNeverComesIsGivenUpAfterTheWaitAndTheStreamGoesOnAtItsNewestKeyframe()
    {
        var publisher = Publish();
        using var reader = publisher.Stream.AddReader("r");
        publisher.DeclareTracks(StreamTracks.Video | StreamTracks.Audio);
        publisher.SetVideoConfig(Video);
        for (int i = 0; i < 150; i++)
        {
            publisher.Write(VideoFrame(i * 33, key: i % 30 == 0)); // five seconds of media at once: held all the same
        }

        var known = publisher.Stream.WhenTracksKnownAsync(CancellationToken.None); // a WHEP player that came meanwhile
        _time.Advance(new StreamHubOptions().TrackWait - TimeSpan.FromSeconds(0.1));
        Assert.Empty(Drain(reader));
        Assert.False(known.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(known.IsCompletedSuccessfully);

        var frames = Drain(reader);
        Assert.Equal(["VideoConfig", "Video 3960 key"], frames.Take(2));
        Assert.Equal("Video 4917", frames[^1]);
        Assert.True(publisher.Stream.TracksKnown);
        Assert.Equal(["s1"], _observer.Known);
        Assert.Contains("Stream s1 goes on without its declared Audio track: no configuration for it within 10 s", Logged);

        // The audio, late: a configuration change like any other.
        publisher.SetAudioConfig(Audio);
        publisher.Write(AudioFrame(4950));
        Assert.Equal(["AudioConfig", "Audio 4950"], Drain(reader));
        Assert.Equal(["s1"], _observer.Known);
    }

    [Fact]
    public void HeldPicturesWithoutAKeyframeAreLeftBehindAndThePublisherIsAskedForOne()
    {
        var publisher = Publish();
        int keyframesAsked = 0;
        publisher.KeyframeRequested = () => keyframesAsked++;
        using var reader = publisher.Stream.AddReader("r");
        publisher.DeclareTracks(StreamTracks.Video | StreamTracks.Audio);
        publisher.SetVideoConfig(Video);
        publisher.Write(VideoFrame(0, key: false)); // no keyframe to start from

        _time.Advance(new StreamHubOptions().TrackWait - TimeSpan.FromSeconds(0.1));
        Assert.False(publisher.Stream.TracksKnown);
        _time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.True(publisher.Stream.TracksKnown);
        Assert.Equal(["s1"], _observer.Known);
        Assert.Equal(["VideoConfig"], Drain(reader));
        Assert.Equal(1, keyframesAsked);
        publisher.Write(VideoFrame(33, key: false));
        publisher.Write(VideoFrame(66, key: true));
        Assert.Equal(["Video 66 key"], Drain(reader));
    }

    [Fact]
    public void APublisherThatDeclaresNothingHasItsTracksKnownAtItsFirstFrameAndHoldsNothing()
    {
        var publisher = Publish();
        using var reader = publisher.Stream.AddReader("r");
        publisher.SetVideoConfig(Video);
        Assert.Equal(["VideoConfig"], Drain(reader));
        Assert.False(publisher.Stream.TracksKnown);

        publisher.Write(VideoFrame(0, key: true));
        Assert.Equal(["Video 0 key"], Drain(reader));
        Assert.True(publisher.Stream.TracksKnown);
        Assert.Null(publisher.Stream.DeclaredTracks);
        Assert.Equal(["s1"], _observer.Known);

        publisher.DeclareTracks(StreamTracks.Video | StreamTracks.Audio); // too late to hold anything: ignored
        publisher.Write(VideoFrame(33, key: false));
        Assert.Equal(["Video 33"], Drain(reader));
        Assert.Null(publisher.Stream.DeclaredTracks);
    }

    [Fact]
    public void AStreamEndingWhileItsTracksAreAwaitedLetsItsHeldMediaGoAndIsNeverKnown()
    {
        var publisher = Publish();
        publisher.DeclareTracks(StreamTracks.Video | StreamTracks.Audio);
        publisher.SetVideoConfig(Video);
        var held = VideoFrame(0, key: true).Retain(); // ours stays, so the frame cannot be recycled under the check
        publisher.Write(held);
        Assert.Equal(2, held.Holders);
        var known = publisher.Stream.WhenTracksKnownAsync(CancellationToken.None);
        publisher.Unpublish();

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(publisher.Stream.TracksKnown);
        Assert.True(known.IsCompletedSuccessfully, "whoever waited for the tracks is let go when the stream ends");
        Assert.Empty(_observer.Known);
        Assert.Equal(1, held.Holders); // the stream let its hold go: only ours is left
        held.Release();
    }

    private Publisher Publish(string id = "s1")
    {
        Assert.Equal(PublishResult.Started, _hub.TryPublish(id, new PublisherInfo("srt", "127.0.0.1:5000"), out var publisher));
        return publisher!;
    }

    private static MediaFrame VideoFrame(long timestamp, bool key) =>
        MediaFrame.Copy(MediaFrameKind.Video, [0, 0, 0, 1, 0x65], timestamp, 0, key);

    private static MediaFrame AudioFrame(long timestamp) => MediaFrame.Copy(MediaFrameKind.Audio, [0x21, 0x00], timestamp, 0, true);

    private static List<string> Drain(HubStreamReader reader)
    {
        var seen = new List<string>();
        while (reader.TryRead(out var frame))
        {
            seen.Add(frame.IsMedia ? $"{frame.Kind} {frame.Timestamp}{(frame.Kind == MediaFrameKind.Video && frame.IsKeyframe ? " key" : "")}" : frame.Kind.ToString());
            frame.Release();
        }

        return seen;
    }

    private sealed class TracksObserver : IHubStreamObserver
    {
        public List<string> Known { get; } = [];

        public void OnTracksKnown(HubStream stream) => Known.Add(stream.Id);
    }
}
