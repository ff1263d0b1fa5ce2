using System.Diagnostics;
using Stagecast.Media.Codecs;
using Stagecast.Streaming;
using Stagecast.Streaming.Renditions;
using Stagecast.Testing;

namespace Stagecast.Transcoding.Tests;

/// <summary>
/// A live stream's ladder encoded by one ffmpeg, in process: real ffmpeg publishing a 640x360 (or H.265 320x180) source
/// into the hub in real time, real ffmpeg making the renditions. Their pictures have the ladder's sizes, their
/// keyframes fall on the source's, at the same times, audio comes with them; ffmpeg killed or stalled never touches
/// the source, and the renditions come back on the same streams.
/// </summary>
public sealed class RenditionTranscodingTests
{
    [Fact]
    public async Task EachRenditionHasItsSizeAndAudioAndItsFramesAndKeyframesAreTheSources()
    {
        await using var harness = new TranscodingHarness(["360p", "180p"]);
        var (source, sourceLog) = harness.Publish(Ffmpeg.AudioVideo(120, "640x360"));
        await using (source)
        {
            var (_, p360) = await harness.RenditionAsync("360p");
            var (_, p180) = await harness.RenditionAsync("180p");
            await Eventually.TrueAsync(() => p360.Keyframes.Count >= 3 && p180.Keyframes.Count >= 3 && p180.AudioFrames > 50, "three keyframes of each rendition, and audio");

            Assert.Equal((640, 360, VideoCodec.H264), (p360.Video!.Width, p360.Video.Height, p360.Video.Codec));
            Assert.Equal((320, 180, VideoCodec.H264), (p180.Video!.Width, p180.Video.Height, p180.Video.Codec));
            Assert.Equal((48000, AudioCodec.Aac), (p180.Audio!.SampleRate, p180.Audio.Codec));
            Assert.Equal(sourceLog.Audio!.SpecificConfig, p360.Audio!.SpecificConfig);
            foreach (var rendition in new[] { p360, p180 })
            {
                // Every frame at a source frame's time, keyframes exactly where the source has them.
                var sourceKeyframes = sourceLog.Keyframes;
                Assert.Subset(sourceLog.VideoTimes.ToHashSet(), rendition.VideoTimes.ToHashSet());
                Assert.Equal(sourceKeyframes.Where(k => k >= rendition.Keyframes[0] && k <= rendition.Keyframes[^1]), rendition.Keyframes);
            }

            Assert.Equal(p360.Keyframes.Take(3), p180.Keyframes.Take(3));
            await Eventually.TrueAsync(() => harness.Transcoders.Of(TranscodingHarness.StreamId).All(s => s.State == RenditionState.Live), "both renditions live");
        }

        await Eventually.TrueAsync(() => harness.Renditions.Hub.Streams.Count == 0 && harness.Transcoders.Of(TranscodingHarness.StreamId).Count == 0,
            "the renditions ended with their source");
        Assert.Equal(["360p", "180p"], harness.Changes.Where(c => c.State == RenditionState.Stopped).Select(c => c.Rendition.Name));
        Assert.Equal(0, harness.Ffmpeg.Running);
    }

    /// <summary>
    /// Regression: ffmpeg writes a rendition's first picture before its first audio frame, and the picture was published
    /// before the audio's configuration; the packager then made a segment of that one picture, a new init segment for the
    /// audio, and the rendition missed its source's first segment (a one-frame segment whose rate made BANDWIDTH twice
    /// the source's for the first ten seconds).
    /// </summary>
    [Fact]
    public async Task ARenditionsFirstPictureComesWithItsAudiosConfiguration()
    {
        await using var harness = new TranscodingHarness(["180p"]);
        var (source, _) = harness.Publish(Ffmpeg.AudioVideo(120, "320x180"));
        await using (source)
        {
            await harness.RenditionAsync("180p");
            await Eventually.TrueAsync(() => harness.FromStart("180p").AudioFrames > 0, "the rendition's audio");

            var kinds = harness.FromStart("180p").Frames.Select(f => f.Kind).ToList();
            int firstPicture = kinds.IndexOf(MediaFrameKind.Video);
            Assert.True(firstPicture > kinds.IndexOf(MediaFrameKind.AudioConfig), string.Join(", ", kinds.Take(8)));
            Assert.Equal(1, kinds.Count(k => k == MediaFrameKind.AudioConfig));
            Assert.Equal(1, kinds.Count(k => k == MediaFrameKind.VideoConfig));
        }
    }

    [Fact]
    public async Task H265SourcesAreEncodedToH264()
    {
        await using var harness = new TranscodingHarness(["180p"]);
        var (source, sourceLog) = harness.Publish(Ffmpeg.HevcAudioVideo(120, "320x180"));
        await using (source)
        {
            var (_, p180) = await harness.RenditionAsync("180p");
            await Eventually.TrueAsync(() => p180.Keyframes.Count >= 2, "two keyframes of the rendition");

            Assert.Equal(VideoCodec.H265, sourceLog.Video!.Codec);
            Assert.Equal((320, 180, VideoCodec.H264), (p180.Video!.Width, p180.Video.Height, p180.Video.Codec));
            Assert.Subset(sourceLog.Keyframes.ToHashSet(), p180.Keyframes.ToHashSet());
        }
    }

    [Fact]
    public async Task AKilledFfmpegLeavesTheSourceAloneAndTheRenditionsGoOnOnTheirStreamsAtTheSourcesTimes()
    {
        await using var harness = new TranscodingHarness(["180p"]);
        var (source, sourceLog) = harness.Publish(Ffmpeg.AudioVideo(120, "320x180"));
        await using (source)
        {
            var (stream, p180) = await harness.RenditionAsync("180p");
            await Eventually.TrueAsync(() => p180.Keyframes.Count >= 2, "two keyframes of the rendition");
            int pid = harness.Transcoders.ProcessIdOf(TranscodingHarness.StreamId)!.Value;
            long framesBefore = source.Publisher.Stream.FramesIn;
            int keyframesBefore = p180.Keyframes.Count;

            Process.GetProcessById(pid).Kill(); // SIGKILL

            await Eventually.TrueAsync(() => harness.Transcoders.ProcessIdOf(TranscodingHarness.StreamId) is { } again && again != pid, "another ffmpeg");
            await Eventually.TrueAsync(() => p180.Keyframes.Count >= keyframesBefore + 3, "the rendition's keyframes again");
            Assert.Equal(1, harness.Transcoders.RestartsOf(TranscodingHarness.StreamId));
            Assert.True(source.Publisher.Stream.FramesIn > framesBefore + 60, "the source took frames all along");
            Assert.Equal(1, source.Publisher.Stream.PublisherCount);
            Assert.Same(stream, harness.Renditions.Hub.Find(stream.Id));
            Assert.Equal(1, stream.PublisherCount);
            Assert.Subset(sourceLog.Keyframes.ToHashSet(), p180.Keyframes.ToHashSet());
            Assert.Subset(sourceLog.VideoTimes.ToHashSet(), p180.VideoTimes.ToHashSet());
            Assert.True(p180.VideoTimes.Zip(p180.VideoTimes.Skip(1)).All(pair => pair.First < pair.Second), "the rendition's times only go forward");
        }
    }

    [Fact]
    public async Task AStalledFfmpegNeverHoldsTheSourceItsRenditionLagsAndComesBack()
    {
        await using var harness = new TranscodingHarness(["180p"], lagLimit: TimeSpan.FromSeconds(1));
        using var metrics = new TranscodeMeters();
        var (source, sourceLog) = harness.Publish(Ffmpeg.AudioVideo(120, "320x180"));
        await using (source)
        {
            await harness.RenditionAsync("180p");
            await Eventually.TrueAsync(() => harness.StateOf("180p") == RenditionState.Live, "the rendition live");
            int pid = harness.Transcoders.ProcessIdOf(TranscodingHarness.StreamId)!.Value;
            int changesBefore = harness.Changes.Count;
            // Counted from here: at its start a rendition may lag a moment behind the GOP its source held for the
            // audio's configuration, which the transcoder gets at once (the hub's wait for tracks).
            long laggingBefore = metrics.Lagging;
            Assert.Equal(1, metrics.LiveRenditions());

            await ExternalProcess.SignalAsync(pid, "STOP");
            try
            {
                int framesAtStop = sourceLog.Frames.Count;
                await Eventually.TrueAsync(() => harness.StateOf("180p") == RenditionState.Lagging, "the rendition lagging");
                // Four seconds of media more (30 fps and 47 AAC frames a second) with ffmpeg still stopped: the source's
                // other readers get them all.
                await Eventually.TrueAsync(() => sourceLog.Frames.Count > framesAtStop + (4 * 77), "the source's frames going on while ffmpeg is stopped");
                Assert.Equal(RenditionState.Lagging, harness.StateOf("180p"));
                Assert.Equal(0, harness.Transcoders.RestartsOf(TranscodingHarness.StreamId));
                Assert.Equal((1, 0), (metrics.Lagging - laggingBefore, metrics.LiveRenditions()));
                Assert.Contains(harness.Logs.Lines, l => l.Message.StartsWith("Stream live-1: rendition 180p is", StringComparison.Ordinal) && l.Message.Contains("leaves the playlist", StringComparison.Ordinal));
            }
            finally
            {
                await ExternalProcess.SignalAsync(pid, "CONT");
            }

            await Eventually.TrueAsync(() => harness.StateOf("180p") == RenditionState.Live, "the rendition live again");
            Assert.Equal(pid, harness.Transcoders.ProcessIdOf(TranscodingHarness.StreamId));
            Assert.Equal([RenditionState.Lagging, RenditionState.Live], harness.Changes.Skip(changesBefore).Select(c => c.State));
            Assert.Equal(1, metrics.LiveRenditions());
            Assert.Contains(harness.Logs.Lines, l => l.Message.StartsWith("Stream live-1: rendition 180p caught up", StringComparison.Ordinal));
        }
    }
}
