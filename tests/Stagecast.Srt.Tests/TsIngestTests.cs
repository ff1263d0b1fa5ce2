using Stagecast.Media.Codecs;
using Stagecast.Srt.Ingest;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Srt.Tests;

/// <summary>MPEG-TS into a hub stream as an SRT publisher's messages arrive: 1316 bytes at a time.</summary>
public class TsIngestTests
{
    [Fact]
    public async Task RealH264AndAacBecomeTheHubsFramesAndConfigurations()
    {
        var (stream, frames) = await IngestAsync(TransportStreams.H264Aac);
        Assert.Equal((VideoCodec.H264, 320, 180), (stream.Video!.Codec, stream.Video.Width, stream.Video.Height));
        Assert.Equal((48000, 1), (stream.Audio!.SampleRate, stream.Audio.Channels));

        var video = frames.Where(f => f.Kind == MediaFrameKind.Video).ToList();
        Assert.True(video[0].IsKeyframe);
        Assert.Equal(video.Select(f => f.Timestamp).Order(), video.Select(f => f.Timestamp)); // no B-frames: decode order is time order
        Assert.All(video.Zip(video.Skip(1)), pair => Assert.Equal(100, pair.Second.Timestamp - pair.First.Timestamp)); // 10 fps
        var audio = frames.Where(f => f.Kind == MediaFrameKind.Audio).ToList();
        Assert.InRange(audio.Count, 40, 48); // a second of 1024-sample frames at 48 kHz
    }

    [Fact]
    public async Task BFramesCarryTheirCompositionOffset()
    {
        var (_, frames) = await IngestAsync(TransportStreams.H264BFrames);
        Assert.Contains(frames, f => f.Kind == MediaFrameKind.Video && f.CompositionOffset > 0);
    }

    /// <summary>
    /// ffmpeg writes audio PES packets after the video around them, so the first keyframe completes before any audio
    /// configuration is known: it waits (dropped), and video starts at the next keyframe, both configurations known.
    /// </summary>
    [Fact]
    public async Task MediaStartsOnlyOnceBothConfigurationsAreKnown()
    {
        var (_, frames) = await IngestAsync(TransportStreams.H264Aac);
        int firstMedia = frames.FindIndex(f => f.IsMedia);
        Assert.True(frames.FindIndex(f => f.Kind == MediaFrameKind.VideoConfig) < firstMedia);
        Assert.True(frames.FindIndex(f => f.Kind == MediaFrameKind.AudioConfig) < firstMedia);
        Assert.True(frames.First(f => f.Kind == MediaFrameKind.Video).IsKeyframe);
    }

    private sealed record Seen(MediaFrameKind Kind, long Timestamp, int CompositionOffset, bool IsKeyframe, bool IsMedia);

    private static async Task<(HubStream Stream, List<Seen> Frames)> IngestAsync(byte[] ts)
    {
        var hub = TestHub.Create();
        hub.TryPublish("s", new PublisherInfo("srt", "test"), out var publisher);
        using var reader = publisher!.Stream.AddReader("test");
        await using (var ingest = new TsIngest(publisher))
        {
            for (int at = 0; at < ts.Length; at += 1316)
            {
                ingest.Push(ts.AsSpan(at, Math.Min(1316, ts.Length - at)));
            }
        }

        var frames = new List<Seen>();
        while (reader.TryRead(out var frame))
        {
            frames.Add(new Seen(frame.Kind, frame.Timestamp, frame.CompositionOffset, frame.IsKeyframe, frame.IsMedia));
            frame.Release();
        }

        return (publisher.Stream, frames);
    }
}
