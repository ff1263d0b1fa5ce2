using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Media.Codecs;
using Stagecast.Streaming.MpegTs;
using Stagecast.Testing;

namespace Stagecast.Streaming.Tests.MpegTs;

/// <summary>MPEG-TS into hub streams as an SRT publisher's messages arrive (1316 bytes at a time), and as a transcoder's ffmpeg writes its renditions.</summary>
public class TsIngestTests
{
    [Fact]
    public async Task RealH264AndAacBecomeTheHubsFramesAndConfigurations()
    {
        var (stream, frames) = await IngestAsync(TransportStreams.H264Aac);
        Assert.Equal((VideoCodec.H264, 320, 180), (stream.Video!.Codec, stream.Video.Width, stream.Video.Height));
        Assert.Equal((48000, 1), (stream.Audio!.SampleRate, stream.Audio.Channels));
        Assert.Equal(StreamTracks.Video | StreamTracks.Audio, stream.DeclaredTracks); // from the PMT

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
        var (stream, frames) = await IngestAsync(TransportStreams.H264BFrames);
        Assert.Contains(frames, f => f.Kind == MediaFrameKind.Video && f.CompositionOffset > 0);
        Assert.Equal(StreamTracks.Video, stream.DeclaredTracks);
    }

    /// <summary>
    /// ffmpeg writes audio PES packets after the video around them, so the first keyframe completes before any audio
    /// configuration is known: the hub holds it, and readers get both configurations and then that keyframe.
    /// </summary>
    [Fact]
    public async Task MediaStartsOnlyOnceBothConfigurationsAreKnown()
    {
        var (_, frames) = await IngestAsync(TransportStreams.H264Aac);
        int firstMedia = frames.FindIndex(f => f.IsMedia);
        Assert.True(frames.FindIndex(f => f.Kind == MediaFrameKind.VideoConfig) < firstMedia);
        Assert.True(frames.FindIndex(f => f.Kind == MediaFrameKind.AudioConfig) < firstMedia);
        var first = frames.First(f => f.Kind == MediaFrameKind.Video);
        Assert.True(first.IsKeyframe);
        Assert.Equal(1000, first.Timestamp); // the program's first picture, a second after the origin: none was lost to the wait
    }

    /// <summary>The transcoder's output: one video stream per rendition, each to its own publisher, the audio to every one.</summary>
    [Fact]
    public async Task EachVideoStreamGoesToItsPublisherAndTheAudioToEveryOne()
    {
        // ffmpeg makes the input at its first use: before the streams begin, so their wait for declared tracks (on a clock
        // that does not move here) cannot run out while it encodes on a busy machine and open them without the audio.
        byte[] ts = TransportStreams.TwoH264Aac;
        var hub = TestHub.Create(new FakeTimeProvider());
        var publishers = new[] { Publish(hub, "big"), Publish(hub, "small") };
        using var big = publishers[0].Stream.AddReader("test");
        using var small = publishers[1].Stream.AddReader("test");
        var pictures = new List<(int Index, long Ms)>();
        await using (var ingest = new TsIngest(publishers, ticks => ticks / 90) { PictureWritten = (i, ms) => pictures.Add((i, ms)) })
        {
            ingest.Push(ts);
        }

        Assert.Equal((320, 180), (publishers[0].Stream.Video!.Width, publishers[0].Stream.Video!.Height));
        Assert.Equal((160, 90), (publishers[1].Stream.Video!.Width, publishers[1].Stream.Video!.Height));
        var (fromBig, fromSmall) = (Drain(big), Drain(small));
        foreach (var frames in new[] { fromBig, fromSmall })
        {
            Assert.Equal([MediaFrameKind.VideoConfig, MediaFrameKind.AudioConfig], frames.Take(2).Select(f => f.Kind));
            Assert.InRange(frames.Count(f => f.Kind == MediaFrameKind.Video), 9, 10); // the last picture's PES may end only with a next one
            Assert.True(frames.First(f => f.Kind == MediaFrameKind.Video).IsKeyframe);
            Assert.InRange(frames.Count(f => f.Kind == MediaFrameKind.Audio), 40, 48);
        }

        // The given timeline, not one of the ingest's own: the same times in both, and told as each picture went.
        Assert.Equal(fromBig.Where(f => f.Kind == MediaFrameKind.Video).Select(f => f.Timestamp), fromSmall.Where(f => f.Kind == MediaFrameKind.Video).Select(f => f.Timestamp));
        Assert.Equal(fromBig.Count(f => f.Kind == MediaFrameKind.Video) + fromSmall.Count(f => f.Kind == MediaFrameKind.Video), pictures.Count);
        Assert.Equal(fromBig.Where(f => f.Kind == MediaFrameKind.Video).Select(f => f.Timestamp), pictures.Where(p => p.Index == 0).Select(p => p.Ms));
    }

    /// <summary>
    /// A program whose PMT lists audio that never comes (SRT's own 3 s bound before, now the hub's 10 s): its video is held
    /// for three seconds, then goes on alone from its newest keyframe.
    /// </summary>
    [Fact]
    public async Task AProgramWhoseAudioNeverComesGoesOnWithoutItAfterThreeSeconds()
    {
        var egress = new TsEgress();
        var ts = new ArrayBufferWriter<byte>();
        egress.Write(SyntheticMedia.Config(SyntheticMedia.Video720p), ts);
        egress.Write(SyntheticMedia.Config(SyntheticMedia.Audio48k), ts); // the PMT lists the audio
        for (int i = 0; i < 150; i++)
        {
            bool key = i % 30 == 0;
            var frame = MediaFrame.Copy(MediaFrameKind.Video, FlvBodies.Nal(key ? 200 : 50, key ? (byte)0x65 : (byte)0x41), i * 33, 0, key);
            egress.Write(frame, ts);
            frame.Release();
        }

        var time = new FakeTimeProvider();
        var publisher = Publish(TestHub.Create(time), "s");
        var stream = publisher.Stream;
        using var reader = stream.AddReader("test");
        await using (var ingest = new TsIngest(publisher))
        {
            ingest.Push(ts.WrittenSpan);
        }

        Assert.Equal(StreamTracks.Video | StreamTracks.Audio, stream.DeclaredTracks);
        Assert.Empty(Drain(reader));
        time.Advance(new StreamHubOptions().TrackWait);
        var frames = Drain(reader);
        Assert.True(stream.TracksKnown);
        Assert.Null(stream.Audio);
        var video = frames.Where(f => f.Kind == MediaFrameKind.Video).ToList();
        Assert.True(video[0].IsKeyframe);
        Assert.Equal(120 * 33, video[0].Timestamp - 1000); // the newest keyframe (at 3.96 s) when the wait ended
        Assert.Equal(149 * 33, video[^1].Timestamp - 1000);
    }

    private sealed record Seen(MediaFrameKind Kind, long Timestamp, int CompositionOffset, bool IsKeyframe, bool IsMedia);

    private static Publisher Publish(StreamHub hub, string id)
    {
        hub.TryPublish(id, new PublisherInfo("srt", "test"), out var publisher);
        return publisher!;
    }

    private static async Task<(HubStream Stream, List<Seen> Frames)> IngestAsync(byte[] ts)
    {
        var publisher = Publish(TestHub.Create(), "s");
        using var reader = publisher.Stream.AddReader("test");
        await using (var ingest = new TsIngest(publisher))
        {
            for (int at = 0; at < ts.Length; at += 1316)
            {
                ingest.Push(ts.AsSpan(at, Math.Min(1316, ts.Length - at)));
            }
        }

        return (publisher.Stream, Drain(reader));
    }

    private static List<Seen> Drain(HubStreamReader reader)
    {
        var frames = new List<Seen>();
        while (reader.TryRead(out var frame))
        {
            frames.Add(new Seen(frame.Kind, frame.Timestamp, frame.CompositionOffset, frame.IsKeyframe, frame.IsMedia));
            frame.Release();
        }

        return frames;
    }
}
