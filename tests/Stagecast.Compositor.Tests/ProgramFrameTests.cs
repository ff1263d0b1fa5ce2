using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Compositor.Video;
using Stagecast.FfmpegProcesses;
using Stagecast.Testing;

namespace Stagecast.Compositor.Tests;

/// <summary>
/// A program that cannot keep its frame rate says so: slots its clock passed without a picture are counted (late, or
/// with the encoder behind) in the program, in /metrics and, at most every ten seconds, in the log. Driven by a fake
/// clock and a real encoder (stopped with SIGSTOP where it must fall behind). One class: the metric is process-wide.
/// </summary>
public sealed class ProgramFrameTests : IDisposable
{
    private const int FrameRate = 30;
    private readonly FakeTimeProvider _time = new();
    private readonly CapturedLogs _logs = new();
    private readonly FfmpegLauncher _ffmpeg;
    private readonly NameLabels _labels;
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _dropped = [];
    private long _frames;

    public ProgramFrameTests()
    {
        _ffmpeg = new FfmpegLauncher("ffmpeg", _time);
        _labels = new NameLabels(_ffmpeg, _time, NullLogger.Instance);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == CompositorMetrics.Meter && instrument.Name is "stagecast_compositor_dropped_frames_total" or "stagecast_compositor_frames_total")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (_dropped)
            {
                if (instrument.Name == "stagecast_compositor_frames_total")
                {
                    _frames += value;
                    return;
                }

                string reason = (string)tags[0].Value!;
                _dropped[reason] = _dropped.GetValueOrDefault(reason) + value;
            }
        });
        _listener.Start();
    }

    [Fact]
    public async Task SlotsTheClockPassedWithoutATickAreCountedLateAndReportedAtMostEveryTenSeconds()
    {
        await using var program = NewProgram();
        program.Start();
        await Eventually.TrueAsync(() => program.Frames.Produced == 1, "the first picture");

        // The clock moves a second at once, as for a program starved of CPU: one tick, after 29 slots went by.
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => program.Frames.Produced == 2, "the tick after the jump");
        Assert.Equal((29, 0, 29), (program.Frames.Late, program.Frames.EncoderBehind, program.Frames.Dropped));
        Assert.Equal(1, program.Frames.FramesPerSecond);
        Assert.Equal((2, 29), (Metric(), Metric("late")));
        Assert.Empty(Warnings());

        // Ten seconds later (another jump): one line says what was dropped over them and the rate kept.
        _time.Advance(ProgramFrames.ReportInterval);
        await Eventually.TrueAsync(() => program.Frames.Produced == 3, "the tick after the second jump");
        Assert.Equal(29 + 299, program.Frames.Late);
        string line = Assert.Single(Warnings());
        Assert.Contains("meeting m-1 dropped 328 frames in 11 s: 328 late (short of CPU), 0 with its encoder behind; it ran at 0.1 of 30 fps", line);

        // More drops within the next ten seconds: counted, not logged.
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => program.Frames.Produced == 4, "the tick after the third jump");
        Assert.Equal((29 + 299 + 29, 29 + 299 + 29), (program.Frames.Late, Metric("late")));
        Assert.Single(Warnings());
    }

    [Fact]
    public async Task PicturesAStoppedEncoderHasNoRoomForAreCountedAsDroppedWithTheEncoderBehind()
    {
        await using var program = NewProgram();
        program.Start();
        await Eventually.TrueAsync(() => program.Frames.Produced == 1 && program.Encoder.VideoProcessId is not null, "the first picture and its encoder");
        int encoder = program.Encoder.VideoProcessId!.Value;
        await ExternalProcess.SignalAsync(encoder, "STOP");
        try
        {
            // Slot by slot: the stopped encoder's pipe and then its queue fill, and the pictures after that have no room.
            for (int step = 1; step <= 40; step++)
            {
                _time.Advance(TimeSpan.FromMilliseconds(34));
                long slots = (long)(step * 34.0 * FrameRate / 1000) + 1;
                await Eventually.TrueAsync(() => program.Frames.Produced + program.Frames.Dropped == slots, $"slot {slots - 1} to be counted");
            }

            Assert.InRange(program.Frames.EncoderBehind, 20, 39);
            Assert.Equal(program.Frames.EncoderBehind, Metric("encoder_behind"));
            Assert.Equal(program.Frames.Produced, Metric());
        }
        finally
        {
            await ExternalProcess.SignalAsync(encoder, "CONT");
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _labels.Dispose();
        _ffmpeg.Dispose();
    }

    private MeetingProgram NewProgram() =>
        new("m-1", new CompositorOptions { FrameRate = FrameRate }, _ffmpeg, 320, 180, "Clock", _labels, _time, _logs.CreateLogger("program"));

    private long Metric(string? reason = null)
    {
        lock (_dropped)
        {
            return reason is null ? _frames : _dropped.GetValueOrDefault(reason);
        }
    }

    private List<string> Warnings() => [.. _logs.Lines.Where(l => l.Level == LogLevel.Warning && l.Message.Contains("dropped", StringComparison.Ordinal)).Select(l => l.Message)];
}
