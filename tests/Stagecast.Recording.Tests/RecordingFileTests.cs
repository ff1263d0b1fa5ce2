using System.Globalization;
using Stagecast.Media.Flv;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Recording.Tests;

/// <summary>What the in-process writer and finisher make of a recording: pictures in their order, what a crash leaves, a full disk.</summary>
public sealed class RecordingFileTests : IDisposable
{
    private static readonly PublisherInfo Encoder = new("test", "127.0.0.1:1");
    private readonly string _work = Directory.CreateTempSubdirectory("stagecast-recording-file-").FullName;

    [Fact]
    public async Task PicturesWithBFramesArePresentedInTheirOrderOneFrameApartAndDecodeCleanly()
    {
        string file = await RecordAsync("b", await RecordedMedia.ClipWithBFramesAsync());

        // Pictures stored out of order (B-frames: shown after the one decoded next), and every picture of the 6 s at
        // 30 fps shown one frame apart (the FLV's milliseconds: 33 or 34 ms) from the first.
        var (exitCode, packets, error) = await ExternalProcess.RunAsync("ffprobe",
            ["-v", "error", "-select_streams", "v", "-show_entries", "packet=pts,dts", "-of", "csv=p=0", file], TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, error);
        var reordered = packets.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split(',')).Where(p => p[0] != p[1]).ToList();
        Assert.True(reordered.Count > 60, $"{reordered.Count} packets shown at another time than decoded");
        double[] shown = await PresentationTimesAsync(file);
        Assert.Equal(180, shown.Length);
        Assert.All(shown.Zip(shown[1..], (a, b) => b - a), step => Assert.InRange(step, 0.0325, 0.0345));
        var decoded = await Ffmpeg.DecodeAsync(file, 30);
        Assert.True(decoded.ExitCode == 0 && decoded.Error.Trim().Length == 0, decoded.Error);
        Assert.InRange(await DurationAsync(file), 5.9, 6.1);
    }

    [Fact]
    public async Task AFileACrashCutShortIsFinishedUpToItsLastWholeFragment()
    {
        var hub = TestHub.Create();
        hub.TryPublish("c", Encoder, out var publisher);
        string part = Path.Combine(_work, "c.mp4.part");
        var recorder = new StreamRecorder(publisher!.Stream, part, Path.Combine(_work, "c.vtt"), StreamRecorder.AddReader(publisher.Stream));
        recorder.Start();
        await RecordedMedia.ReplayAsync(publisher, realTime: false);
        await Eventually.TrueAsync(() => recorder.Seconds > 5.9, "the whole clip to be read");
        await recorder.DisposeAsync(); // its last fragment written, the file left as a crash leaves it

        // The crash came in the middle of the last fragment's write.
        await using (var stream = new FileStream(part, FileMode.Open))
        {
            stream.SetLength(stream.Length - 1000);
        }

        string file = Path.Combine(_work, "c.mp4");
        Assert.Null(await RecordingFinisher.FinishAsync(part, file));
        Assert.InRange(await DurationAsync(file), 4, 5.5); // fragments of a second: the last one is lost
        var decoded = await Ffmpeg.DecodeAsync(file, 30);
        Assert.True(decoded.ExitCode == 0 && decoded.Error.Trim().Length == 0, decoded.Error);
        Assert.False(File.Exists(part));
    }

    [Fact]
    public async Task AFragmentedMp4FromFfmpegIsFinishedToo()
    {
        // What a recording in progress looked like when ffmpeg wrote it (before an upgrade): the next start finishes it.
        string part = Path.Combine(_work, "old.mp4.part");
        var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg",
            ["-hide_banner", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=4", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4",
                "-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac",
                "-f", "mp4", "-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-frag_duration", "2000000", part],
            TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, error);

        string file = Path.Combine(_work, "old.mp4");
        Assert.Null(await RecordingFinisher.FinishAsync(part, file));
        var streams = await Ffmpeg.ProbeAsync(file);
        Assert.Contains(streams, s => s is { Codec: "h264", Width: 320, Height: 240 });
        Assert.Contains(streams, s => s is { Codec: "aac", SampleRate: 48000 });
        Assert.InRange(await DurationAsync(file), 3.9, 4.1);
        Assert.Equal(120, (await PresentationTimesAsync(file)).Length);
        var boxes = Box.Parse(await File.ReadAllBytesAsync(file)).Select(b => b.Type).ToList();
        Assert.Equal(["ftyp", "moov", "mdat"], boxes);
    }

    [Fact]
    public async Task APublisherBackAtAnotherSizeGoesOnInTheSameFile()
    {
        // The clip at 320x240, then the same encoder back at 160x120: a new configuration mid-recording.
        var tags = await RecordedMedia.EncodeAsync("160x120", 3);
        var hub = TestHub.Create();
        hub.TryPublish("r", Encoder, out var publisher);
        await using var recorder = new StreamRecorder(publisher!.Stream, Path.Combine(_work, "r.mp4.part"), Path.Combine(_work, "r.vtt"), StreamRecorder.AddReader(publisher.Stream));
        recorder.Start();
        await RecordedMedia.ReplayAsync(publisher, realTime: false);
        await RecordedMedia.ReplayAsync(publisher, realTime: false, offsetMs: 6_100, clip: tags);
        await Eventually.TrueAsync(() => recorder.Seconds > 9, "both clips to be read");
        string file = Path.Combine(_work, "r.mp4");
        Assert.True(await recorder.FinishAsync(file), recorder.Error);

        var widths = await Ffmpeg.PictureWidthsAsync(file);
        Assert.Equal((180, 90), (widths.GetValueOrDefault(320), widths.GetValueOrDefault(160)));
        var decoded = await Ffmpeg.DecodeAsync(file, 30);
        Assert.True(decoded.ExitCode == 0 && decoded.Error.Trim().Length == 0, decoded.Error);
    }

    [Fact]
    public async Task AudioWhoseConfigurationComesAfterTheFirstPictureIsInTheFile()
    {
        // As a WebRTC publisher's AAC comes from a transcoder: its configuration 300 ms after the first keyframe. The
        // clip's metadata declares both tracks, so the hub holds the pictures until the audio is configured.
        var clip = await RecordedMedia.ClipAsync();
        var audioConfig = clip.First(t => t.Type == FlvTagType.Audio && t.Body[1] == 0);
        var late = clip.Where(t => t != audioConfig && (t.Type != FlvTagType.Audio || t.Timestamp >= 300)).ToList();
        late.Insert(late.FindIndex(t => t.Type == FlvTagType.Audio), audioConfig);

        string file = await RecordAsync("late", late);

        var streams = await Ffmpeg.ProbeAsync(file);
        Assert.Contains(streams, s => s is { Codec: "h264", Width: 320, Height: 240 });
        Assert.Contains(streams, s => s is { Codec: "aac", SampleRate: 48000 });
        Assert.InRange(await DurationAsync(file), 5.9, 6.1);
    }

    [Fact]
    public async Task AShortStreamWithoutSoundIsRecordedAsPicturesAlone()
    {
        // Half a second of pictures, no sound and no metadata declaring any: a file of one track, ended by the stream.
        var pictures = (await RecordedMedia.ClipAsync()).Where(t => t.Type == FlvTagType.Video && t.Timestamp < 500).ToList();
        var hub = TestHub.Create();
        hub.TryPublish("short", Encoder, out var publisher);
        await using var recorder = new StreamRecorder(publisher!.Stream, Path.Combine(_work, "short.mp4.part"), Path.Combine(_work, "short.vtt"), StreamRecorder.AddReader(publisher.Stream));
        recorder.Start();
        await RecordedMedia.ReplayAsync(publisher, realTime: false, clip: pictures);
        publisher.Unpublish();
        await recorder.Completion;
        string file = Path.Combine(_work, "short.mp4");
        Assert.True(await recorder.FinishAsync(file), recorder.Error);

        Assert.Equal(15, (await PresentationTimesAsync(file)).Length);
        var streams = await Ffmpeg.ProbeAsync(file);
        Assert.Equal("h264", Assert.Single(streams).Codec);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AFullDiskStopsTheRecorderWithTheReason()
    {
        var hub = TestHub.Create();
        hub.TryPublish("f", Encoder, out var publisher);
        // /dev/full: every write fails as on a full disk (ENOSPC).
        await using var recorder = new StreamRecorder(publisher!.Stream, "/dev/full", Path.Combine(_work, "full.vtt"), StreamRecorder.AddReader(publisher.Stream));
        recorder.Start();
        await RecordedMedia.ReplayAsync(publisher, realTime: false);

        await recorder.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("writing the recording failed (is the disk full?): ", recorder.Error);
        Assert.False(recorder.Started.Task.IsCompleted);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>Records <paramref name="clip"/> (6 s) published into a hub, finished: the file players get.</summary>
    private async Task<string> RecordAsync(string name, IReadOnlyList<(FlvTagType Type, uint Timestamp, byte[] Body)> clip)
    {
        var hub = TestHub.Create();
        hub.TryPublish(name, Encoder, out var publisher);
        await using var recorder = new StreamRecorder(publisher!.Stream, Path.Combine(_work, $"{name}.mp4.part"), Path.Combine(_work, $"{name}.vtt"), StreamRecorder.AddReader(publisher.Stream));
        recorder.Start();
        await RecordedMedia.ReplayAsync(publisher, realTime: false, clip: clip);
        // The stream ends, so the recorder reads every frame and stops on its own before the finish (which drops what it
        // has not read: waiting for 5.9 s of media to be read, as before, finished a frame early now and then).
        publisher.Unpublish();
        await recorder.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        string file = Path.Combine(_work, $"{name}.mp4");
        Assert.True(await recorder.FinishAsync(file), recorder.Error);
        return file;
    }

    private static async Task<double> DurationAsync(string file)
    {
        var (exitCode, output, error) = await ExternalProcess.RunAsync("ffprobe",
            ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file], TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, error);
        return double.Parse(output, CultureInfo.InvariantCulture);
    }

    /// <summary>When each decoded picture is shown, in the order shown.</summary>
    private static async Task<double[]> PresentationTimesAsync(string file)
    {
        var (exitCode, output, error) = await ExternalProcess.RunAsync("ffprobe",
            ["-v", "error", "-select_streams", "v", "-show_entries", "frame=pts_time", "-of", "default=noprint_wrappers=1:nokey=1", file], TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, error);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => double.Parse(t, CultureInfo.InvariantCulture))];
    }
}
