using Microsoft.Extensions.Logging;
using Stagecast.FfmpegProcesses;
using Stagecast.Media.Flv;
using Stagecast.Rtmp.Egress;
using Stagecast.Streaming;

namespace Stagecast.Recording;

/// <summary>
/// Records one hub stream to a file: frames (from the stream's newest keyframe on) go as FLV to an ffmpeg child that
/// writes fragmented MP4 as it goes (a fragment at least every 2 s, so a crash loses at most the last seconds and what
/// is on disk plays); on stop the file is finished into an MP4 with its index at the front, so players can seek.
/// A pause leaves no gap: frames are skipped while paused and the time paused is taken out of the timestamps, the
/// recording resuming at the next keyframe. A recorder never slows its stream: it reads through its own bounded queue.
/// </summary>
public sealed class StreamRecorder : IAsyncDisposable
{
    /// <summary>How long ffmpeg may take, once its input ends, to write what it holds and exit.</summary>
    public static readonly TimeSpan FinishLimit = TimeSpan.FromSeconds(30);

    private readonly HubStream _source;
    private readonly FfmpegLauncher _ffmpeg;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly FlvEgress _egress = new();
    private readonly Lock _sync = new();
    private HubStreamReader? _reader;
    private FfmpegChild? _process;
    private Task? _pump;
    private long _firstMs = -1;
    private long _lastMs;
    private long _pausedMs;
    private long _pausedAt = -1;
    private bool _paused;
    private bool _waitForKeyframe = true;

    /// <param name="reader">
    /// A reader added to <paramref name="source"/> earlier (from <see cref="AddReader"/>), so the recording starts where
    /// that reader did; null to start from the stream's newest keyframe now.
    /// </param>
    public StreamRecorder(HubStream source, string partPath, FfmpegLauncher ffmpeg, ILogger logger, HubStreamReader? reader = null)
    {
        _source = source;
        _reader = reader;
        PartPath = partPath;
        _ffmpeg = ffmpeg;
        _logger = logger;
    }

    /// <summary>The fragmented MP4 being written.</summary>
    public string PartPath { get; }

    /// <summary>Completes when the first keyframe was written: the recording has started.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when writing failed (ffmpeg died, the disk is full): why.</summary>
    public string? Error { get; private set; }

    /// <summary>Completes when the recorder stopped on its own (its stream ended, or writing failed).</summary>
    public Task Completion => _pump ?? Task.CompletedTask;

    /// <summary>Seconds of media written, pauses excluded.</summary>
    public double Seconds
    {
        get
        {
            lock (_sync)
            {
                return _firstMs < 0 ? 0 : (_lastMs - _firstMs - _pausedMs) / 1000.0;
            }
        }
    }

    /// <summary>A reader as a recorder reads: a deep queue, so a slow disk never slows the stream and loses nothing for seconds.</summary>
    public static HubStreamReader AddReader(HubStream source) =>
        source.AddReader("recorder", new ReaderOptions { MaxQueuedFrames = 4096, MaxQueuedBytes = 64 * 1024 * 1024 });

    public void Start()
    {
        _process = _ffmpeg.Start("recorder",
        [
            "-f", "flv", "-i", "pipe:0", "-c", "copy", "-f", "mp4",
            "-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-frag_duration", "2000000", "-flush_packets", "1", "-y", PartPath,
        ], _logger, maxQueuedWrites: 4096);
        _pump = Task.Run(PumpAsync);
    }

    public void Pause()
    {
        lock (_sync)
        {
            if (!_paused)
            {
                _paused = true;
                _pausedAt = _lastMs;
            }
        }
    }

    public void Resume()
    {
        lock (_sync)
        {
            if (_paused)
            {
                _paused = false;
                _waitForKeyframe = true; // the gap is measured at the next keyframe and taken out
            }
        }
    }

    /// <summary>Stops reading, lets ffmpeg finish the fragments, then writes <paramref name="finalPath"/> with its index at the front.</summary>
    public async Task<bool> FinishAsync(string finalPath)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_pump is not null)
        {
            await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_process is { } process)
        {
            await process.FinishAsync(FinishLimit).ConfigureAwait(false);
            await process.DisposeAsync().ConfigureAwait(false);
        }

        if (await FinishFileAsync(_ffmpeg, _logger, PartPath, finalPath).ConfigureAwait(false) is { } error)
        {
            Error ??= error;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Rewrites a fragmented MP4 as one with its index at the front (the fragments are deleted); null when done,
    /// otherwise why not. Also what finishes a recording a crash left behind.
    /// </summary>
    public static async Task<string?> FinishFileAsync(FfmpegLauncher ffmpeg, ILogger logger, string partPath, string finalPath)
    {
        if (!File.Exists(partPath) || new FileInfo(partPath).Length == 0)
        {
            return "nothing was recorded";
        }

        var exit = await ffmpeg.RunAsync("recording finisher", ["-i", partPath, "-c", "copy", "-movflags", "+faststart", "-y", finalPath], logger).ConfigureAwait(false);
        if (exit.ExitCode != 0)
        {
            return $"finishing the file failed: {exit.Errors}";
        }

        File.Delete(partPath);
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_pump is not null)
        {
            await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        else
        {
            _reader?.Dispose(); // never started: the reader handed over is still attached
        }

        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        using var reader = _reader ?? AddReader(_source);
        FlvFileWriter.WriteHeader(_process!.Input, hasAudio: true, hasVideo: true);
        _process.Input.Commit();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var frame = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    return; // the stream ended
                }

                try
                {
                    Write(frame);
                }
                finally
                {
                    frame.Release();
                }

                if (_process.Exited.IsCompleted)
                {
                    Error = "the recording's writer stopped (is the disk full?)";
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Write(MediaFrame frame)
    {
        if (!_egress.TryPackage(frame, out var tag) || tag.Type == FlvTagType.Script)
        {
            return;
        }

        long ms;
        lock (_sync)
        {
            if (frame.IsMedia)
            {
                if (_paused)
                {
                    return;
                }

                if (_waitForKeyframe)
                {
                    if (frame.Kind != MediaFrameKind.Video || !frame.IsKeyframe)
                    {
                        return;
                    }

                    _waitForKeyframe = false;
                    if (_firstMs < 0)
                    {
                        _firstMs = frame.Timestamp;
                    }
                    else if (_pausedAt >= 0)
                    {
                        _pausedMs += Math.Max(0, frame.Timestamp - _pausedAt - 33); // a frame's worth stays between the two sides
                        _pausedAt = -1;
                    }
                }

                _lastMs = Math.Max(_lastMs, frame.Timestamp);
            }

            ms = Math.Max(0, frame.Timestamp - Math.Max(0, _firstMs) - _pausedMs);
        }

        FlvFileWriter.WriteTag(_process!.Input, tag.Type, (uint)ms, tag.Header.Span, tag.Payload.Span);
        _process.Input.Commit();
        if (frame.Kind == MediaFrameKind.Video && frame.IsKeyframe)
        {
            Started.TrySetResult();
        }
    }
}
