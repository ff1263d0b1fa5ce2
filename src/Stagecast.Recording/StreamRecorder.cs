using System.Buffers;
using Stagecast.Media.Codecs;
using Stagecast.Media.Fmp4;
using Stagecast.Media.Hls;
using Stagecast.Streaming;

namespace Stagecast.Recording;

/// <summary>
/// Records one hub stream to a file, in process: frames (from the stream's newest keyframe on) are written as
/// fragmented MP4 as they come (<see cref="Fmp4FileWriter"/>, LL-HLS's box writers; a fragment at each keyframe and at
/// least every 2 s, so a crash loses at most the last seconds and what is on disk plays); on stop the file is
/// finished into an MP4 with its index at the front (<see cref="RecordingFinisher"/>), so players can seek. Nothing is
/// decoded or encoded, so no ffmpeg takes part. A pause leaves no gap: frames are skipped while paused and the time
/// paused is taken out of the timestamps, the recording resuming at the next keyframe. A recorder never slows its
/// stream: it reads through its own bounded queue. The stream's captions (its timed text frames, what transcription
/// heard) go into a WebVTT file beside it, on the recording's timeline, each cue written as it comes.
/// </summary>
public sealed class StreamRecorder : IAsyncDisposable
{
    private readonly HubStream _source;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sync = new();
    private readonly TimeProvider _time;
    private HubStreamReader? _reader;
    private Fmp4FileWriter? _file;
    private VideoTrackConfig? _video;
    private AudioTrackConfig? _audio;
    private Task? _pump;
    private long _firstMs = -1;
    private long _lastMs;
    private long _pausedMs;
    private long _pausedAt = -1;
    private readonly List<(long From, long To)> _pauses = []; // on the hub's clock; To is long.MaxValue while paused
    private bool _waitForKeyframe = true;
    private long _lastReceivedAt;
    private FileStream? _captions;
    private double _lastCueStart;

    /// <param name="captionsPath">The WebVTT file of the stream's captions, written once one comes.</param>
    /// <param name="reader">
    /// A reader added to <paramref name="source"/> earlier (from <see cref="AddReader"/>), so the recording starts where
    /// that reader did; null to start from the stream's newest keyframe now.
    /// </param>
    /// <param name="time">The stream hub's clock (frames are stamped by it when received).</param>
    public StreamRecorder(HubStream source, string partPath, string captionsPath, HubStreamReader? reader = null, TimeProvider? time = null)
    {
        _source = source;
        _reader = reader;
        PartPath = partPath;
        CaptionsPath = captionsPath;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The fragmented MP4 being written.</summary>
    public string PartPath { get; }

    /// <summary>The WebVTT file of its captions: there once the first caption came.</summary>
    public string CaptionsPath { get; }

    /// <summary>Captions written.</summary>
    public int Captions { get; private set; }

    /// <summary>Completes when the first keyframe was written: the recording has started.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when writing failed (the disk is full): why.</summary>
    public string? Error { get; private set; }

    /// <summary>Completes when the recorder stopped on its own (its stream ended, or writing failed), its last fragment written.</summary>
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

    public void Start() => _pump = Task.Run(PumpAsync);

    /// <summary>
    /// Leaves out what the stream receives from now until <see cref="Resume"/>: by the frames' receive times, not by
    /// where the reader is, so a reader behind (a deep queue on a busy machine) still writes what came before the pause
    /// and leaves out what came during it.
    /// </summary>
    public void Pause()
    {
        lock (_sync)
        {
            if (!Paused)
            {
                _pauses.Add((_time.GetTimestamp(), long.MaxValue));
            }
        }
    }

    /// <summary>Records again what the stream receives from now, from its next keyframe, the pause taken out of the timeline.</summary>
    public void Resume()
    {
        lock (_sync)
        {
            if (Paused)
            {
                _pauses[^1] = (_pauses[^1].From, _time.GetTimestamp());
            }
        }
    }

    /// <summary>Stops reading, writes the last fragment, then writes <paramref name="finalPath"/> with its index at the front.</summary>
    public async Task<bool> FinishAsync(string finalPath)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_pump is not null)
        {
            await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (await RecordingFinisher.FinishAsync(PartPath, finalPath).ConfigureAwait(false) is { } error)
        {
            Error ??= error;
            return false;
        }

        return true;
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

        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        using var reader = _reader ?? AddReader(_source);
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
                    await WriteAsync(frame).ConfigureAwait(false);
                }
                finally
                {
                    frame.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (FileFailure.Is(ex))
        {
            Error = WriteFailed(ex);
        }
        finally
        {
            await CloseAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask WriteAsync(MediaFrame frame)
    {
        switch (frame.Kind)
        {
            case MediaFrameKind.VideoConfig:
                _video = (VideoTrackConfig)frame.Detail!;
                _file?.ChangeVideo(_video);
                return;
            case MediaFrameKind.AudioConfig:
                _audio ??= (AudioTrackConfig)frame.Detail!; // the file holds the first; a change of audio (rare) is not followed
                return;
            case MediaFrameKind.Video or MediaFrameKind.Audio:
                break;
            case MediaFrameKind.TimedText:
                await CaptionAsync((TimedTextCue)frame.Detail!).ConfigureAwait(false);
                return;
            default:
                return;
        }

        if (_file is null && frame.Kind == MediaFrameKind.Video && frame.IsKeyframe && _video is not null)
        {
            // The first keyframe: the file's tracks are those configured now. The hub held the media until the tracks the
            // publisher declared were configured (a WebRTC publisher's AAC comes from a transcoder, after its first picture).
            _file = Fmp4FileWriter.Create(PartPath, new TrackLayout(_video, _audio));
        }

        if (_file is not null)
        {
            await AddAsync(_file, frame).ConfigureAwait(false);
        }
    }

    /// <summary>A frame at its time on the recording's timeline: pauses skipped and taken out, waiting for a keyframe after one.</summary>
    private async ValueTask AddAsync(Fmp4FileWriter file, MediaFrame frame)
    {
        long ms;
        lock (_sync)
        {
            if (PausedAt(frame.ReceivedAt))
            {
                return;
            }

            if (_firstMs >= 0 && _pausedAt < 0 && PausedBetween(_lastReceivedAt, frame.ReceivedAt))
            {
                // The first frame received since a pause: the recording goes on at a keyframe, the gap measured there and taken out.
                _pausedAt = _lastMs;
                _waitForKeyframe = true;
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
            _lastReceivedAt = frame.ReceivedAt;
            while (_pauses.Count > 0 && _pauses[0].To <= _lastReceivedAt)
            {
                _pauses.RemoveAt(0); // over before this frame came: no later frame falls in it or comes first after it
            }
            ms = frame.Timestamp - _firstMs - _pausedMs;
        }

        if (frame.Kind == MediaFrameKind.Audio)
        {
            await file.AddAudioAsync(frame, ms).ConfigureAwait(false);
            return;
        }

        await file.AddVideoAsync(frame, ms).ConfigureAwait(false);
        if (frame.IsKeyframe)
        {
            Started.TrySetResult();
        }
    }

    /// <summary>Paused now: the last pause has not ended.</summary>
    private bool Paused => _pauses.Count > 0 && _pauses[^1].To == long.MaxValue;

    /// <summary>Whether the recording was paused when the stream received a frame at <paramref name="receivedAt"/>.</summary>
    private bool PausedAt(long receivedAt)
    {
        foreach (var (from, to) in _pauses)
        {
            if (receivedAt >= from && receivedAt < to)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a pause began after <paramref name="after"/> and by <paramref name="upTo"/> (the hub's clock).</summary>
    private bool PausedBetween(long after, long upTo)
    {
        foreach (var (from, _) in _pauses)
        {
            if (from > after && from <= upTo)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A caption, placed by when it was said: the newest frame written was received a known while ago, at a known place
    /// on the recording's timeline, and the cue began so long before or after. Said before the recording began, while it
    /// is paused, or in a pause: left out.
    /// </summary>
    private async ValueTask CaptionAsync(TimedTextCue cue)
    {
        double start;
        lock (_sync)
        {
            if (_file is null || Paused || _waitForKeyframe)
            {
                return;
            }

            var sinceFrame = _time.GetElapsedTime(_lastReceivedAt);
            var sinceCue = _time.GetUtcNow() - cue.StartedAt;
            start = (_lastMs - _firstMs - _pausedMs) / 1000.0 + (sinceFrame - sinceCue).TotalSeconds;
        }

        double end = start + Math.Max(0, (cue.EndedAt - cue.StartedAt).TotalSeconds);
        if (end <= 0)
        {
            return;
        }

        start = Math.Max(Math.Max(start, 0), _lastCueStart); // in order of their start, as WebVTT wants them
        _lastCueStart = start;
        var text = new ArrayBufferWriter<byte>(256);
        if (_captions is null)
        {
            _captions = new FileStream(CaptionsPath, FileMode.Create, FileAccess.Write, FileShare.Read, 4096, useAsync: true);
            text.Write("WEBVTT\n"u8);
        }

        WebVttSegmentWriter.WriteCue(text, new WebVttCue(start, Math.Max(end, start), cue.Text, cue.Voice));
        await _captions.WriteAsync(text.WrittenMemory).ConfigureAwait(false);
        await _captions.FlushAsync().ConfigureAwait(false);
        Captions++;
    }

    /// <summary>Writes the last fragment and closes the file.</summary>
    private async ValueTask CloseAsync()
    {
        if (_captions is { } captions)
        {
            await captions.DisposeAsync().ConfigureAwait(false);
            _captions = null;
        }

        if (_file is not { } file)
        {
            return;
        }

        try
        {
            await file.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (FileFailure.Is(ex))
        {
            Error ??= WriteFailed(ex);
        }
        finally
        {
            file.Dispose();
        }
    }

    private static string WriteFailed(Exception ex) => $"writing the recording failed (is the disk full?): {ex.Message}";
}
