using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Recording.Tests;

/// <summary>A hub stream recorded in process, a reader of the hub like any other; the files checked by ffprobe and ffmpeg.</summary>
public sealed class StreamRecorderTests : IDisposable
{
    private static readonly PublisherInfo Encoder = new("test", "127.0.0.1:1");
    private readonly string _work = Directory.CreateTempSubdirectory("stagecast-recorder-").FullName;

    [Fact]
    public async Task AStreamIsRecordedIntoAnMp4ThatPlaysWithItsIndexInFront()
    {
        var hub = TestHub.Create();
        hub.TryPublish("s", Encoder, out var publisher);
        await using var recorder = new StreamRecorder(publisher!.Stream, Path.Combine(_work, "s.mp4.part"), Path.Combine(_work, "s.vtt"), StreamRecorder.AddReader(publisher.Stream)); // from the first frame, however soon the replay comes
        recorder.Start();

        await RecordedMedia.ReplayAsync(publisher, realTime: false);
        await recorder.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => recorder.Seconds > 5.9, "the whole clip to be read");
        Assert.True(await recorder.FinishAsync(Path.Combine(_work, "s.mp4")), recorder.Error);

        var streams = await Ffmpeg.ProbeAsync(Path.Combine(_work, "s.mp4"));
        Assert.Contains(streams, s => s is { Codec: "h264", Width: 320, Height: 240 });
        Assert.Contains(streams, s => s is { Codec: "aac", SampleRate: 48000 });
        var boxes = Box.Parse(await File.ReadAllBytesAsync(Path.Combine(_work, "s.mp4"))).Select(b => b.Type).ToList();
        Assert.True(boxes.IndexOf("moov") < boxes.IndexOf("mdat"), string.Join(' ', boxes)); // players seek at once
        Assert.False(File.Exists(Path.Combine(_work, "s.mp4.part")));
    }

    [Fact]
    public async Task APauseLeavesNoGapInTheFile()
    {
        var hub = TestHub.Create();
        hub.TryPublish("s", Encoder, out var publisher);
        await using var recorder = new StreamRecorder(publisher!.Stream, Path.Combine(_work, "p.mp4.part"), Path.Combine(_work, "p.vtt"), StreamRecorder.AddReader(publisher.Stream)); // from the first frame, however soon the replay comes
        recorder.Start();
        await RecordedMedia.ReplayAsync(publisher, realTime: false);
        await Eventually.TrueAsync(() => recorder.Seconds > 5.9, "the first clip to be read");

        // Paused, then resumed 14 s of stream time later: the recording goes on at the next keyframe, without the 14 s.
        recorder.Pause();
        recorder.Resume();
        await RecordedMedia.ReplayAsync(publisher, realTime: false, offsetMs: 20_000);
        await Eventually.TrueAsync(() => recorder.Seconds > 11.9, "the second clip to be read");
        Assert.True(await recorder.FinishAsync(Path.Combine(_work, "p.mp4")), recorder.Error);

        Assert.InRange(await DurationAsync(Path.Combine(_work, "p.mp4")), 11.5, 12.5);
        Assert.InRange(recorder.Seconds, 11.5, 12.5);
    }

    [Fact]
    public async Task AReaderBehindLeavesOutWhatCameDuringThePauseAndKeepsWhatCameBefore()
    {
        // The reader reads nothing until the three clips were received: what came while paused is left out by its time,
        // wherever the reader was (a recorder behind on a busy machine wrote the pause and dropped what came before it).
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero));
        var hub = TestHub.Create(clock);
        hub.TryPublish("b", Encoder, out var publisher);
        await using var recorder = new StreamRecorder(publisher!.Stream, Path.Combine(_work, "b.mp4.part"), Path.Combine(_work, "b.vtt"), StreamRecorder.AddReader(publisher.Stream), clock);
        await RecordedMedia.ReplayAsync(publisher, realTime: false);
        clock.Advance(TimeSpan.FromSeconds(1));
        recorder.Pause();
        clock.Advance(TimeSpan.FromSeconds(1));
        await RecordedMedia.ReplayAsync(publisher, realTime: false, offsetMs: 20_000);
        clock.Advance(TimeSpan.FromSeconds(1));
        recorder.Resume();
        clock.Advance(TimeSpan.FromSeconds(1));
        await RecordedMedia.ReplayAsync(publisher, realTime: false, offsetMs: 40_000);

        recorder.Start();
        await Eventually.TrueAsync(() => recorder.Seconds > 11.9, "the first and last clips to be read");
        Assert.True(await recorder.FinishAsync(Path.Combine(_work, "b.mp4")), recorder.Error);
        Assert.InRange(await DurationAsync(Path.Combine(_work, "b.mp4")), 11.5, 12.5);
    }

    [Fact]
    public async Task TheStreamsCaptionsAreWrittenBesideItOnTheRecordingsTimeline()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));
        var hub = TestHub.Create(clock);
        hub.TryPublish("t", Encoder, out var publisher);
        string captions = Path.Combine(_work, "t.vtt");
        await using var recorder = new StreamRecorder(publisher!.Stream, Path.Combine(_work, "t.mp4.part"), captions, StreamRecorder.AddReader(publisher.Stream), clock);
        recorder.Start();

        await RecordedMedia.ReplayAsync(publisher, realTime: false);
        await Eventually.TrueAsync(() => recorder.Seconds > 5.9, "the whole clip to be read");
        double last = recorder.Seconds; // where the newest frame is, received at the clock's now

        // A second on, a line said from 3 s to 1.5 s ago: 2 s before that frame, 1.5 s long; a line that ended before the
        // recording began is left out; the next line keeps its order and its speaker.
        clock.Advance(TimeSpan.FromSeconds(1));
        var now = clock.GetUtcNow();
        Assert.True(publisher.Stream.WriteTimedText(new TimedTextCue(now.AddSeconds(-3), now.AddSeconds(-1.5), "the weather is nice today", null)));
        Assert.True(publisher.Stream.WriteTimedText(new TimedTextCue(now.AddSeconds(-60), now.AddSeconds(-59), "long before", null)));
        Assert.True(publisher.Stream.WriteTimedText(new TimedTextCue(now.AddSeconds(-1), now, "a <b> & c", "Ada")));
        await Eventually.TrueAsync(() => recorder.Captions == 2, "the two captions to be written");

        // Paused, a line is left out.
        recorder.Pause();
        Assert.True(publisher.Stream.WriteTimedText(new TimedTextCue(now, now.AddSeconds(1), "while paused", null)));
        Assert.True(await recorder.FinishAsync(Path.Combine(_work, "t.mp4")), recorder.Error);

        Assert.Equal(2, recorder.Captions);
        string T(double seconds) => Media.Hls.WebVttSegmentWriter.Timestamp(seconds);
        Assert.Equal($"WEBVTT\n\n{T(last - 2)} --> {T(last - 0.5)}\nthe weather is nice today\n\n{T(last)} --> {T(last + 1)}\n<v Ada>a &lt;b&gt; &amp; c\n",
            await File.ReadAllTextAsync(captions));
        var streams = await Ffmpeg.ProbeAsync(captions); // ffmpeg reads it as WebVTT
        Assert.Contains(streams, s => s.Codec == "webvtt");
    }

    /// <summary>A file's duration in seconds, as ffprobe reads it.</summary>
    private static async Task<double> DurationAsync(string path)
    {
        var (exitCode, output, error) = await ExternalProcess.RunAsync("ffprobe",
            ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path], TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, error);
        return double.Parse(output, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task FinishingAFileThatHoldsNothingSaysSo()
    {
        Assert.Equal("nothing was recorded", await RecordingFinisher.FinishAsync(Path.Combine(_work, "none.part"), Path.Combine(_work, "none.mp4")));
        await File.WriteAllTextAsync(Path.Combine(_work, "junk.part"), "not a video");
        string? error = await RecordingFinisher.FinishAsync(Path.Combine(_work, "junk.part"), Path.Combine(_work, "junk.mp4"));
        Assert.StartsWith("finishing the file failed: ", error);
        Assert.Contains("Invalid data", error);
    }

    public void Dispose()
    {
        Directory.Delete(_work, recursive: true);
    }
}
