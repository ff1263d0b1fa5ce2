using System.Globalization;
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
        await using var recorder = new StreamRecorder(publisher!.Stream, Path.Combine(_work, "s.mp4.part"), StreamRecorder.AddReader(publisher.Stream)); // from the first frame, however soon the replay comes
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
        await using var recorder = new StreamRecorder(publisher!.Stream, Path.Combine(_work, "p.mp4.part"), StreamRecorder.AddReader(publisher.Stream)); // from the first frame, however soon the replay comes
        recorder.Start();
        await RecordedMedia.ReplayAsync(publisher, realTime: false);
        await Eventually.TrueAsync(() => recorder.Seconds > 5.9, "the first clip to be read");

        // Paused, then resumed 14 s of stream time later: the recording goes on at the next keyframe, without the 14 s.
        recorder.Pause();
        recorder.Resume();
        await RecordedMedia.ReplayAsync(publisher, realTime: false, offsetMs: 20_000);
        await Eventually.TrueAsync(() => recorder.Seconds > 11.9, "the second clip to be read");
        Assert.True(await recorder.FinishAsync(Path.Combine(_work, "p.mp4")), recorder.Error);

        var (exitCode, output, error) = await ExternalProcess.RunAsync("ffprobe",
            ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", Path.Combine(_work, "p.mp4")], TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, error);
        Assert.InRange(double.Parse(output, CultureInfo.InvariantCulture), 11.5, 12.5);
        Assert.InRange(recorder.Seconds, 11.5, 12.5);
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
