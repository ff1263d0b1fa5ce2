using Microsoft.Extensions.Logging;
using Stagecast.Compositor.Audio;
using Stagecast.Compositor.Encoding;
using Stagecast.Compositor.Video;
using Stagecast.FfmpegProcesses;
using Stagecast.Streaming;
using Stagecast.Streaming.Audio;

namespace Stagecast.Compositor;

/// <summary>A participant's source in the program: its stream in the meeting hub, the name on its tile, and whether it is a screen share.</summary>
public sealed record ProgramSource(HubStream Stream, string Name, bool IsScreen);

/// <summary>
/// One meeting's program: the participants' pictures laid out on one canvas and their audio mixed, on the program's
/// own clock, encoded by a <see cref="ProgramEncoder"/> and handed to <see cref="Outputs"/>. Every tick (1/frame rate)
/// draws what each feed has now and never waits for any of them: a feed without a picture for
/// <see cref="CompositorOptions.StallHold"/> gets its name tile, one without audio is silent. Sources change between
/// ticks (<see cref="SetSources"/>) without touching the encoder.
/// </summary>
public sealed partial class MeetingProgram : IAsyncDisposable
{
    private const int SampleRate = OpusDecoder.SampleRate;
    private readonly CompositorOptions _options;
    private readonly string _meetingId;
    private readonly FfmpegLauncher _ffmpeg;
    private readonly string _title;
    private readonly NameLabels _labels;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly I420Image _canvas;
    private readonly ProgramEncoder _encoder;
    private readonly AudioMixer _mixer = new();
    private readonly Lock _sync = new();
    private readonly Dictionary<string, ParticipantFeed> _feeds = [];
    private readonly List<long> _shown = []; // arrival times of the pictures the last composed canvas shows for the first time
    private readonly CancellationTokenSource _stop = new();
    private IReadOnlyList<ProgramSource> _sources = [];
    private float[] _mix = [];
    private byte[] _pcm = [];
    private Task? _loop;
    private long _startedAt;
    private long _frames;
    private long _samples;
    private int _disposed;

    public MeetingProgram(string meetingId, CompositorOptions options, FfmpegLauncher ffmpeg, int width, int height, string title, NameLabels labels, TimeProvider time, ILogger logger)
    {
        _meetingId = meetingId;
        _options = options;
        _ffmpeg = ffmpeg;
        _title = title;
        _labels = labels;
        _time = time;
        _logger = logger;
        _canvas = new I420Image(width & ~1, height & ~1);
        int kbps = (int)Math.Clamp(options.VideoKbps * (width * (long)height) / (1280.0 * 720), 300, 20000);
        Frames = new ProgramFrames(time);
        _encoder = new ProgramEncoder(ffmpeg, _canvas.Width, _canvas.Height, options.FrameRate, kbps, options.Preset, Outputs, time, logger);
    }

    public ProgramOutputs Outputs { get; } = new();

    public int Width => _canvas.Width;

    public int Height => _canvas.Height;

    public int FrameRate => _options.FrameRate;

    /// <summary>Its frame slots: produced, or dropped (late or with the encoder behind), and the rate it runs at.</summary>
    public ProgramFrames Frames { get; }

    public ProgramEncoder Encoder => _encoder;

    /// <summary>The feeds now in the program, by stream id (diagnostics and tests).</summary>
    public IReadOnlyDictionary<string, ParticipantFeed> Feeds
    {
        get
        {
            lock (_sync)
            {
                return new Dictionary<string, ParticipantFeed>(_feeds);
            }
        }
    }

    /// <summary>The sources shown, as last set.</summary>
    public IReadOnlyList<ProgramSource> Sources
    {
        get
        {
            lock (_sync)
            {
                return _sources;
            }
        }
    }

    public void Start()
    {
        _startedAt = _time.GetTimestamp();
        CompositorMetrics.ProgramStarted();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// The sources to show and hear, cameras in the order they should get tiles (most recent speakers first); feeds of
    /// sources no longer listed end.
    /// </summary>
    public void SetSources(IReadOnlyList<ProgramSource> sources)
    {
        List<ParticipantFeed> ended = [];
        lock (_sync)
        {
            var wanted = sources.Select(s => s.Stream.Id).ToHashSet();
            foreach (var (id, feed) in _feeds.Where(f => !wanted.Contains(f.Key)).ToList())
            {
                _feeds.Remove(id);
                ended.Add(feed);
            }

            foreach (var source in sources.Where(s => !_feeds.ContainsKey(s.Stream.Id)))
            {
                _feeds[source.Stream.Id] = new ParticipantFeed(source.Stream, _ffmpeg, _options.DecodeWidth & ~1, _options.DecodeHeight & ~1, _time, _logger);
            }

            _sources = sources;
        }

        foreach (var feed in ended)
        {
            _ = feed.DisposeAsync().AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            CompositorMetrics.ProgramStopped();
        }

        SetSources([]);
        await _encoder.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Draws the canvas as it is now (the loop calls it every tick; tests call it directly).</summary>
    public I420Image Compose()
    {
        IReadOnlyList<ProgramSource> sources;
        Dictionary<string, ParticipantFeed> feeds;
        lock (_sync)
        {
            // A source whose stream ended (its peer left the stage, or stopped publishing) goes at the next picture,
            // however late the next SetSources comes on a busy machine.
            sources = [.. _sources.Where(s => s.Stream.State != HubStreamState.Ended)];
            feeds = new Dictionary<string, ParticipantFeed>(_feeds);
        }

        _shown.Clear();
        _canvas.Fill(YuvColor.Background);
        var cameras = sources.Where(s => !s.IsScreen).Take(ProgramLayout.MaxCameras)
            .Select(s => new TileSource(s.Stream.Id, s.Name, false)).ToList();
        var screen = sources.Where(s => s.IsScreen && feeds.TryGetValue(s.Stream.Id, out var f) && f.Pictures > 0)
            .Select(s => new TileSource(s.Stream.Id, s.Name, true)).FirstOrDefault();
        var tiles = ProgramLayout.Arrange(cameras, screen, _canvas.Width, _canvas.Height);
        if (tiles.Count == 0)
        {
            DrawCentred(_title, new Video.PixelRect(0, 0, _canvas.Width, _canvas.Height), _canvas.Height / 12);
            return _canvas;
        }

        foreach (var tile in tiles)
        {
            _canvas.FillRect(tile.Picture, YuvColor.Black);
            long arrivedAt = 0;
            bool drawn = feeds.TryGetValue(tile.Source.Key, out var feed) && feed.TryDraw(_canvas, tile.Picture, _options.StallHold, out arrivedAt);
            if (arrivedAt != 0)
            {
                _shown.Add(arrivedAt);
            }

            if (!drawn)
            {
                _canvas.FillRect(tile.Picture, YuvColor.Tile);
                DrawCentred(tile.Source.Name, tile.Picture, Math.Max(12, tile.Picture.Height / 8));
            }
            else if (!tile.Source.IsScreen || tiles.Count > 1)
            {
                DrawCaption(tile.Source.Name, tile.Picture);
            }
        }

        return _canvas;
    }

    private void DrawCentred(string text, Video.PixelRect area, int height)
    {
        if (_labels.Get(text, height & ~1) is { } mask)
        {
            _canvas.DrawMask(mask.Pixels, mask.Width, mask.Height, area.X + ((area.Width - mask.Width) / 2), area.Y + ((area.Height - mask.Height) / 2));
        }
    }

    private void DrawCaption(string text, Video.PixelRect picture)
    {
        int height = Math.Clamp(picture.Height / 10, 12, 40) & ~1;
        if (_labels.Get(text, height) is not { } mask)
        {
            return;
        }

        int pad = height / 4 & ~1;
        int width = Math.Min(mask.Width + (2 * pad), picture.Width);
        var backdrop = new Video.PixelRect(picture.X, picture.Y + picture.Height - height - (2 * pad), width, height + (2 * pad));
        _canvas.Shade(backdrop, 40);
        _canvas.DrawMask(mask.Pixels, Math.Min(mask.Width, width - pad), mask.Height, backdrop.X + pad, backdrop.Y + pad);
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / _options.FrameRate), _time);
        try
        {
            do
            {
                Tick();
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Tick()
    {
        try
        {
            double elapsedMs = _time.GetElapsedTime(_startedAt).TotalMilliseconds;

            // Video: one picture for the newest frame slot that is due; missed slots are counted late, not caught up.
            long due = (long)(elapsedMs * _options.FrameRate / 1000);
            if (due >= _frames)
            {
                var picture = Compose();
                bool produced = _encoder.WritePicture(picture, due * 1000 / _options.FrameRate, _shown.Count == 0 ? null : [.. _shown]);
                if (Frames.Count(due - _frames, produced) is { } report)
                {
                    Log.Dropped(_logger, _meetingId, report.Late + report.EncoderBehind, report.Over.TotalSeconds, report.Late, report.EncoderBehind,
                        report.FramesPerSecond, _options.FrameRate);
                }

                _frames = due + 1;
            }

            // Audio: every sample up to now, mixed; after a long stall (over a second) the gap is skipped.
            long samplesDue = (long)(elapsedMs * SampleRate / 1000);
            if (samplesDue - _samples > SampleRate)
            {
                _samples = samplesDue - (SampleRate / _options.FrameRate);
            }

            int count = (int)(samplesDue - _samples);
            if (count <= 0)
            {
                return;
            }

            if (_mix.Length < count * 2)
            {
                _mix = new float[count * 2];
                _pcm = new byte[count * 4];
            }

            List<AudioInput> inputs;
            lock (_sync)
            {
                inputs = _feeds.Values.Select(f => f.Audio).ToList();
            }

            _mixer.Mix(inputs, _mix.AsSpan(0, count * 2));
            AudioMixer.ToPcm16(_mix.AsSpan(0, count * 2), _pcm);
            _encoder.WriteAudio(_pcm.AsSpan(0, count * 4), _samples * 1000 / SampleRate);
            _samples = samplesDue;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            Log.TickFailed(_logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning,
            "The program of meeting {MeetingId} dropped {Dropped} frames in {Seconds:F0} s: {Late} late (short of CPU), {EncoderBehind} with its encoder behind; it ran at {FramesPerSecond:F1} of {FrameRate} fps")]
        public static partial void Dropped(ILogger logger, string meetingId, long dropped, double seconds, long late, long encoderBehind, double framesPerSecond, int frameRate);

        [LoggerMessage(2, LogLevel.Warning, "A program tick failed; the next one carries on")]
        public static partial void TickFailed(ILogger logger, Exception exception);
    }
}
