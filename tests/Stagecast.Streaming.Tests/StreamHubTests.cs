using Microsoft.Extensions.Time.Testing;
using Stagecast.Media.Codecs;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Streaming.Tests;

public class StreamHubTests
{
    private static readonly VideoTrackConfig Video = VideoTrackConfig.Parse(VideoCodec.H264, GoldenVectors.AvcRecord720p);
    private static readonly AudioTrackConfig Audio = AudioTrackConfig.ParseAac(GoldenVectors.AacLc48kStereo);
    private static readonly PublisherInfo Encoder = new("rtmp", "127.0.0.1:5000");

    private readonly FakeTimeProvider _time = new();
    private readonly RecordingObserver _observer = new();
    private readonly StreamHub _hub;

    public StreamHubTests() => _hub = TestHub.Create(_time, new StreamHubOptions(), _observer);

    [Fact]
    public void ReadersReceiveConfigurationThenFramesInOrderSharingOneBuffer()
    {
        var publisher = Publish("s1");
        using var first = publisher.Stream.AddReader("a");
        using var second = publisher.Stream.AddReader("b");
        publisher.SetVideoConfig(Video);
        publisher.SetAudioConfig(Audio);
        publisher.Write(VideoFrame(0, key: true));
        publisher.Write(AudioFrame(10));
        publisher.Write(VideoFrame(33, key: false));

        var kinds = new[] { MediaFrameKind.VideoConfig, MediaFrameKind.AudioConfig, MediaFrameKind.Video, MediaFrameKind.Audio, MediaFrameKind.Video };
        var fromFirst = Drain(first);
        var fromSecond = Drain(second);
        Assert.Equal(kinds, fromFirst.Select(f => f.Kind));
        Assert.Equal([0L, 10L, 33L], fromFirst.Where(f => f.IsMedia).Select(f => f.Timestamp));
        Assert.Same(fromFirst[2], fromSecond[2]); // one frame object, shared
        Release(fromFirst);
        Release(fromSecond);
    }

    [Fact]
    public void SlowReaderDropsUntilTheNextKeyframeWithoutSlowingThePublisherOrOtherReaders()
    {
        var publisher = Publish("s1");
        publisher.SetVideoConfig(Video);
        using var slow = publisher.Stream.AddReader("slow", new ReaderOptions { MaxQueuedFrames = 10 });
        using var fast = publisher.Stream.AddReader("fast");

        for (int i = 0; i < 90; i++)
        {
            publisher.Write(VideoFrame(i * 33, key: i % 30 == 0));
        }

        // The configuration frame counts toward the bound (it is never dropped): frames 0..8 fit, then the queue was full.
        var slowFrames = Drain(slow);
        Assert.Equal(9, slowFrames.Count(f => f.IsMedia));
        Assert.Equal(81, slow.DroppedFrames);
        Assert.Equal(90, Drain(fast, release: true).Count(f => f.IsMedia));
        Assert.Equal(0, fast.DroppedFrames);

        // Frames 90..119 arrive after the slow reader caught up: it resumes at the keyframe (frame 90).
        for (int i = 90; i < 95; i++)
        {
            publisher.Write(VideoFrame(i * 33, key: i % 30 == 0));
        }

        var resumed = Drain(slow);
        Assert.True(resumed[0].IsKeyframe);
        Assert.Equal(90 * 33, resumed[0].Timestamp);
        Release(slowFrames);
        Release(resumed);
    }

    [Fact]
    public void AfterADropVideoWaitsForAKeyframeButAudioContinues()
    {
        var publisher = Publish("s1");
        publisher.SetVideoConfig(Video);
        publisher.SetAudioConfig(Audio);
        using var reader = publisher.Stream.AddReader("r", new ReaderOptions { MaxQueuedFrames = 3 });
        publisher.Write(VideoFrame(0, key: true));
        publisher.Write(VideoFrame(33, key: false));
        publisher.Write(VideoFrame(66, key: false)); // fills the queue with config frames + media
        Release(Drain(reader));

        publisher.Write(AudioFrame(70));
        publisher.Write(VideoFrame(99, key: false)); // still waiting for a keyframe: dropped
        publisher.Write(VideoFrame(132, key: true));
        var after = Drain(reader);
        Assert.Equal([MediaFrameKind.Audio, MediaFrameKind.Video], after.Select(f => f.Kind));
        Assert.Equal(132, after[1].Timestamp);
        Release(after);
    }

    [Fact]
    public void PublisherNeverWaitsForAStalledReader()
    {
        var publisher = Publish("s1");
        publisher.SetVideoConfig(Video);
        using var stalled = publisher.Stream.AddReader("stalled");
        for (int i = 0; i < 50_000; i++)
        {
            publisher.Write(VideoFrame(i, key: i % 60 == 0));
        }

        Assert.True(stalled.DroppedFrames > 40_000);
        Assert.True(stalled.QueuedFrames <= ReaderOptions.Default.MaxQueuedFrames);
    }

    [Fact]
    public void SecondPublisherIsRefusedWhileTheFirstSendsAndTakesOverWhenItGoesSilent()
    {
        var first = Publish("s1");
        first.Write(AudioFrame(0));
        Assert.Equal(PublishResult.AlreadyPublishing, _hub.TryPublish("s1", Encoder, out var refused));
        Assert.Null(refused);

        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(PublishResult.TookOver, _hub.TryPublish("s1", Encoder, out var second));
        Assert.True(first.Revoked.IsCancellationRequested);
        Assert.Same(first.Stream, second!.Stream);

        // Frames from the replaced publisher are ignored; its disconnect changes nothing.
        using var reader = second.Stream.AddReader("r");
        first.Write(AudioFrame(99));
        first.Dispose();
        Assert.Equal(HubStreamState.Live, second.Stream.State);
        Assert.DoesNotContain(Drain(reader, release: true), f => f.IsMedia);
    }

    [Fact]
    public void AnRtpPublisherThatSendsKeepsItsStreamAndItsVideoIsTimedApartFromItsAudio()
    {
        var publisher = Publish("s1");
        _time.Advance(TimeSpan.FromSeconds(6));
        publisher.WriteRtp(new byte[12], video: false);
        Assert.Equal(PublishResult.AlreadyPublishing, _hub.TryPublish("s1", Encoder, out _));
        Assert.False(publisher.SentVideoWithin(TimeSpan.FromSeconds(1)));

        publisher.WriteRtp(new byte[12], video: true);
        Assert.True(publisher.SentVideoWithin(TimeSpan.FromSeconds(1)));
        _time.Advance(TimeSpan.FromSeconds(2));
        publisher.WriteRtp(new byte[12], video: false);
        Assert.False(publisher.SentVideoWithin(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void DroppedPublisherResumesWithinTheWindowOnAMonotonicTimeline()
    {
        var first = Publish("s1");
        var stream = first.Stream;
        using var reader = stream.AddReader("r");
        first.SetAudioConfig(Audio);
        first.Write(AudioFrame(0));
        first.Write(AudioFrame(5000));
        first.Dispose(); // dropped without unpublishing
        Assert.Equal(HubStreamState.Reconnecting, stream.State);

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(PublishResult.Resumed, _hub.TryPublish("s1", Encoder, out var second));
        Assert.Same(stream, second!.Stream);
        second.SetAudioConfig(Audio); // same configuration: no new config frame
        second.Write(AudioFrame(0)); // the new encoder starts its clock at zero
        second.Write(AudioFrame(1000));

        var frames = Drain(reader);
        Assert.Equal(
            [MediaFrameKind.AudioConfig, MediaFrameKind.Audio, MediaFrameKind.Audio, MediaFrameKind.PublisherLeft,
                MediaFrameKind.PublisherResumed, MediaFrameKind.Audio, MediaFrameKind.Audio],
            frames.Select(f => f.Kind));
        Assert.Equal([0L, 5000L, 5040L, 6040L], frames.Where(f => f.IsMedia).Select(f => f.Timestamp));
        Assert.Equal(TimeSpan.FromMilliseconds(6000), stream.IngestedDuration);
        Assert.Equal(["started s1", "left s1", "resumed s1"], _observer.Events);
        Release(frames);
    }

    [Fact]
    public async Task StreamEndsWhenTheReconnectWindowPasses()
    {
        var publisher = Publish("s1");
        var stream = publisher.Stream;
        using var reader = stream.AddReader("r");
        publisher.Dispose();
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(HubStreamState.Reconnecting, stream.State);
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(HubStreamState.Ended, stream.State);
        Assert.Null(_hub.Find("s1"));
        var frames = Drain(reader);
        Assert.Equal(MediaFrameKind.StreamEnded, frames[^1].Kind);
        Assert.Null(await reader.ReadAsync()); // the reader completes
        Assert.Equal(["started s1", "left s1", "ended s1"], _observer.Events);
        Assert.Equal(PublishResult.Started, _hub.TryPublish("s1", Encoder, out var next));
        Assert.NotSame(stream, next!.Stream);
        Release(frames);
    }

    [Fact]
    public void UnpublishEndsTheStreamAtOnce()
    {
        var publisher = Publish("s1");
        publisher.Unpublish();
        Assert.Equal(HubStreamState.Ended, publisher.Stream.State);
        Assert.Null(publisher.Stream.EndReason);
        Assert.Equal(["started s1", "ended s1"], _observer.Events);
    }

    [Fact]
    public void ARevokedPublishersCallbacksRunOutsideTheStreamsLock()
    {
        // A publisher's session closes when revoked, and its listeners (a meeting's transcripts) take locks of their own
        // that other threads hold while they add or remove readers of the stream. Revoked under the stream's lock, they
        // deadlocked (a server stopping in the tests hung); here the callback waits for another thread's reader.
        foreach (var revoke in new Action<Publisher>[] { p => _hub.Stop(p.Stream.Id, "disabled"), _ => _time.Advance(TimeSpan.FromSeconds(6)) })
        {
            var publisher = Publish("s1");
            publisher.Write(AudioFrame(0));
            bool readerAdded = false;
            publisher.Revoked.Register(() => readerAdded = Task.Run(() => publisher.Stream.AddReader("other thread").Dispose()).Wait(TimeSpan.FromSeconds(10)));
            revoke(publisher);
            if (!publisher.Revoked.IsCancellationRequested)
            {
                Assert.Equal(PublishResult.TookOver, _hub.TryPublish("s1", Encoder, out var second)); // the silent one is replaced
                second!.Unpublish();
            }

            Assert.True(readerAdded);
        }
    }

    [Fact]
    public void StopRevokesThePublisherAndEndsTheStream()
    {
        var publisher = Publish("s1");
        Assert.True(_hub.Stop("s1", "disabled"));
        Assert.True(publisher.Revoked.IsCancellationRequested);
        Assert.Equal("disabled", publisher.RevokeReason);
        Assert.Equal(HubStreamState.Ended, publisher.Stream.State);
        Assert.False(_hub.Stop("s1", "again"));
    }

    [Fact]
    public void LateReaderStartsAtTheCachedKeyframeWithConfigurationFirst()
    {
        var publisher = Publish("s1");
        publisher.SetVideoConfig(Video);
        publisher.SetAudioConfig(Audio);
        publisher.Write(VideoFrame(0, key: true));
        publisher.Write(VideoFrame(33, key: false));
        publisher.Write(VideoFrame(66, key: true));
        publisher.Write(AudioFrame(70));
        publisher.Write(VideoFrame(99, key: false));

        using var late = publisher.Stream.AddReader("late");
        var frames = Drain(late);
        Assert.Equal(
            [MediaFrameKind.VideoConfig, MediaFrameKind.AudioConfig, MediaFrameKind.Video, MediaFrameKind.Audio, MediaFrameKind.Video],
            frames.Select(f => f.Kind));
        Assert.Equal([66L, 70L, 99L], frames.Where(f => f.IsMedia).Select(f => f.Timestamp));
        Release(frames);
    }

    [Fact]
    public void LateReaderWithoutCachedGopWaitsForTheNextKeyframe()
    {
        var publisher = Publish("s1");
        publisher.SetVideoConfig(Video);
        publisher.Write(VideoFrame(0, key: true));
        using var late = publisher.Stream.AddReader("late", new ReaderOptions { StartWithCachedGop = false });
        publisher.Write(VideoFrame(33, key: false));
        publisher.Write(VideoFrame(66, key: true));
        var frames = Drain(late);
        Assert.Equal([66L], frames.Where(f => f.IsMedia).Select(f => f.Timestamp));
        Release(frames);
    }

    [Fact]
    public void DisposedReaderReleasesWhatItHeld()
    {
        var publisher = Publish("s1");
        publisher.SetAudioConfig(Audio);
        var reader = publisher.Stream.AddReader("r");
        var frame = AudioFrame(0);
        publisher.Write(frame.Retain());
        reader.Dispose();
        Assert.Empty(publisher.Stream.Readers);
        frame.Release(); // the test's own reference is the last one; releasing again would throw
        Assert.Throws<InvalidOperationException>(frame.Release);
    }

    [Fact]
    public void SinkHandlesEachFrameAsItIsWrittenStartingAtTheCachedKeyframe()
    {
        var publisher = Publish("s1");
        publisher.SetVideoConfig(Video);
        publisher.Write(VideoFrame(0, key: true));
        publisher.Write(VideoFrame(33, key: false));

        var sink = new RecordingSink();
        using var reader = publisher.Stream.AddSink("hls", sink);
        Assert.Equal(["VideoConfig", "Video 0", "Video 33"], sink.Frames);

        publisher.Write(VideoFrame(66, key: false));
        Assert.Equal("Video 66", sink.Frames[^1]); // delivered before Write returned, no queue in between
        Assert.False(reader.TryRead(out _));

        publisher.Unpublish();
        Assert.Equal([null], sink.Completions);
    }

    [Fact]
    public void ThrowingSinkIsDetachedWithItsErrorAndTheStreamGoesOn()
    {
        var publisher = Publish("s1");
        publisher.SetVideoConfig(Video);
        var failing = new RecordingSink { FailAt = 33 };
        using var failingReader = publisher.Stream.AddSink("failing", failing);
        using var other = publisher.Stream.AddReader("other");

        publisher.Write(VideoFrame(0, key: true));
        publisher.Write(VideoFrame(33, key: false));
        publisher.Write(VideoFrame(66, key: false));

        Assert.Equal(["VideoConfig", "Video 0"], failing.Frames);
        var error = Assert.Single(failing.Completions);
        Assert.IsType<InvalidOperationException>(error);
        Assert.DoesNotContain(failingReader, publisher.Stream.Readers);
        Assert.Equal(HubStreamState.Live, publisher.Stream.State);
        Assert.Equal([0L, 33L, 66L], Drain(other, release: true).Where(f => f.IsMedia).Select(f => f.Timestamp));

        publisher.Unpublish();
        Assert.Single(failing.Completions); // completed once, not again when the stream ends
    }

    [Fact]
    public void IngestRateCountsFromTheFirstFrameThenOverEachWholeSecondAndFallsToZeroWhenMediaStops()
    {
        var publisher = Publish("s1");
        Assert.Equal(0, publisher.Stream.IngestBitsPerSecond);

        publisher.Write(MediaFrame.Copy(MediaFrameKind.Video, new byte[1000], 0, 0, true));
        _time.Advance(TimeSpan.FromMilliseconds(300));
        publisher.Write(AudioFrame(300));
        Assert.Equal(1002 * 8, publisher.Stream.IngestBitsPerSecond); // less than a second in: what arrived so far

        _time.Advance(TimeSpan.FromMilliseconds(700));
        publisher.Write(AudioFrame(1000)); // closes the first whole second
        Assert.Equal(1002 * 8, publisher.Stream.IngestBitsPerSecond);

        _time.Advance(TimeSpan.FromMilliseconds(500));
        publisher.Write(MediaFrame.Copy(MediaFrameKind.Video, new byte[4000], 1500, 0, true));
        Assert.Equal(1002 * 8, publisher.Stream.IngestBitsPerSecond); // the last whole second until the next one closes

        _time.Advance(TimeSpan.FromSeconds(2.5));
        Assert.Equal(0, publisher.Stream.IngestBitsPerSecond);
        publisher.Write(AudioFrame(4000)); // media resumes: counted afresh, not the rate of before the gap
        Assert.Equal(2 * 8, publisher.Stream.IngestBitsPerSecond);
    }

    [Fact]
    public void TheNewestKeyframeIsKeptPastAGopTooLargeToCacheNumberedAndLetGoWhenTheStreamEnds()
    {
        var hub = TestHub.Create(_time, new StreamHubOptions { MaxGopCacheBytes = 8 });
        Assert.Equal(PublishResult.Started, hub.TryPublish("s1", Encoder, out var publisher));
        var stream = publisher!.Stream;
        publisher.SetVideoConfig(Video);
        Assert.Null(stream.TakeLatestKeyframe());

        publisher.Write(MediaFrame.Copy(MediaFrameKind.Video, [0, 0, 0, 2, 0x65, 0x01], 0, 0, true));
        publisher.Write(VideoFrame(33, key: false));
        publisher.Write(AudioFrame(40));
        publisher.Write(MediaFrame.Copy(MediaFrameKind.Video, [0, 0, 0, 2, 0x65, 0x02], 66, 0, true)); // larger than the GOP cache
        publisher.Write(VideoFrame(99, key: false));

        Assert.Equal(2, stream.KeyframeCount);
        using (var keyframe = stream.TakeLatestKeyframe())
        {
            Assert.NotNull(keyframe);
            Assert.Equal((2L, "00000002" + "6502"), (keyframe.Number, Hex.Of(keyframe.Payload)));
            Assert.Same(Video, keyframe.Config);
        }

        var taken = stream.TakeLatestKeyframe()!;
        publisher.Unpublish();
        Assert.Null(stream.TakeLatestKeyframe());
        Assert.Equal("00000002" + "6502", Hex.Of(taken.Payload)); // the taker's reference outlives the stream's
        taken.Dispose();
        taken.Dispose(); // releases once
        Assert.Throws<ObjectDisposedException>(() => taken.Payload.Length);
    }

    private Publisher Publish(string id)
    {
        Assert.Equal(PublishResult.Started, _hub.TryPublish(id, Encoder, out var publisher));
        return publisher!;
    }

    private static MediaFrame VideoFrame(long timestamp, bool key) =>
        MediaFrame.Copy(MediaFrameKind.Video, [0, 0, 0, 1, 0x65], timestamp, 0, key);

    private static MediaFrame AudioFrame(long timestamp) => MediaFrame.Copy(MediaFrameKind.Audio, [0x21, 0x00], timestamp, 0, true);

    private static List<MediaFrame> Drain(HubStreamReader reader, bool release = false)
    {
        var frames = new List<MediaFrame>();
        while (reader.TryRead(out var frame))
        {
            frames.Add(frame);
        }

        if (release)
        {
            Release(frames);
        }

        return frames;
    }

    private static void Release(IEnumerable<MediaFrame> frames)
    {
        foreach (var frame in frames)
        {
            frame.Release();
        }
    }

    private sealed class RecordingSink : IHubStreamSink
    {
        public List<string> Frames { get; } = [];

        public List<Exception?> Completions { get; } = [];

        public long? FailAt { get; init; }

        public void OnFrame(MediaFrame frame)
        {
            try
            {
                if (frame.IsMedia && frame.Timestamp == FailAt)
                {
                    throw new InvalidOperationException("sink failed");
                }

                Frames.Add(frame.IsMedia ? $"{frame.Kind} {frame.Timestamp}" : frame.Kind.ToString());
            }
            finally
            {
                frame.Release();
            }
        }

        public void OnCompleted(Exception? error) => Completions.Add(error);
    }

    private sealed class RecordingObserver : IHubStreamObserver
    {
        public List<string> Events { get; } = [];

        public void OnStreamStarted(HubStream stream) => Events.Add($"started {stream.Id}");

        public void OnPublisherLeft(HubStream stream) => Events.Add($"left {stream.Id}");

        public void OnPublisherResumed(HubStream stream) => Events.Add($"resumed {stream.Id}");

        public void OnStreamEnded(HubStream stream) => Events.Add($"ended {stream.Id}");
    }
}
