using System.Buffers;
using System.Runtime.InteropServices;
using Stagecast.FfmpegProcesses;
using Stagecast.Media;
using Stagecast.Media.Flv;
using Stagecast.Speech;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// Listens to a livestream's AAC (RTMP, SRT) for its captions: one ffmpeg for the stream, fed its audio as FLV and read
/// back as 16 kHz mono 16-bit PCM (there is no AAC decoder in process), cut at pauses (<see cref="VoiceActivitySegmenter"/>).
/// Each utterance goes to <c>utterances</c> with when it was said on the server's clock: from when the stream took the
/// frames it came from, as the HLS segments' program date-times are, so its caption lines up with the parts whatever
/// ffmpeg's delay. Video is not read. Runs until disposed; if ffmpeg dies another is started (<see cref="SupervisedFfmpeg"/>).
/// </summary>
public sealed partial class AacSpeechListener : IAsyncDisposable
{
    private static readonly string[] Arguments =
    [
        "-fflags", "nobuffer", "-flags", "low_delay", "-probesize", "32", "-analyzeduration", "0",
        "-f", "flv", "-i", "pipe:0",
        "-vn", "-af", "aresample=async=1000", "-ar", "16000", "-ac", "1", "-f", "s16le", "-flush_packets", "1", "pipe:1",
    ];

    private readonly HubStream _stream;
    private readonly Action<Utterance, DateTimeOffset> _utterances;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SupervisedFfmpeg _ffmpeg;
    private readonly Task _pump;
    private readonly Lock _sync = new();

    /// <summary>The stream time of the first frame fed to the running ffmpeg: where its PCM starts.</summary>
    private long _firstMs;

    /// <summary>The last frame fed: its stream time and when the stream took it (the server's clock).</summary>
    private (long Ms, DateTimeOffset At) _last;

    /// <param name="utterances">Called with each utterance and the wall-clock time it began, on the listener's reader.</param>
    public AacSpeechListener(HubStream stream, FfmpegLauncher ffmpeg, Action<Utterance, DateTimeOffset> utterances, TimeProvider time, ILogger logger)
    {
        _stream = stream;
        _utterances = utterances;
        _time = time;
        _logger = logger;
        _ffmpeg = new SupervisedFfmpeg(ffmpeg, $"speech decoder of stream {stream.Id}", () => Arguments, ReadPcmAsync, logger);
        _pump = Task.Run(RunAsync);
    }

    /// <summary>The running ffmpeg's process id, if one runs (diagnostics and tests).</summary>
    public int? ProcessId => _ffmpeg.ProcessId;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _ffmpeg.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Feeds the stream's audio to ffmpeg (one is started at the first frame, and again after one died) until stopped or the stream ends.</summary>
    private async Task RunAsync()
    {
        using var reader = _stream.AddReader("speech", new ReaderOptions { MaxQueuedFrames = 256, StartWithCachedGop = false });
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        Feed(frame);
                    }
                    finally
                    {
                        frame.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Feed(MediaFrame frame)
    {
        if (frame.Kind != MediaFrameKind.Audio || _stream.Audio is not { } config || _ffmpeg.Acquire(mayStart: true, out bool started) is not { } child)
        {
            return;
        }

        var at = _time.GetUtcNow() - _time.GetElapsedTime(frame.ReceivedAt);
        lock (_sync)
        {
            if (started)
            {
                _firstMs = frame.Timestamp;
            }

            _last = (frame.Timestamp, at);
        }

        if (started)
        {
            FlvFileWriter.WriteHeader(child.Input, hasAudio: true, hasVideo: false);
            FlvFileWriter.WriteAacConfig(child.Input, config.SpecificConfig);
        }

        FlvFileWriter.WriteAacFrame(child.Input, (uint)Math.Max(0, frame.Timestamp - _firstMs), frame.Span);
        child.Input.Commit();
    }

    /// <summary>Reads one ffmpeg's PCM into a segmenter of its own (a new ffmpeg starts from its own first sample).</summary>
    private async Task ReadPcmAsync(FfmpegChild child)
    {
        var segmenter = new VoiceActivitySegmenter();
        short[] samples = [];
        try
        {
            while (true)
            {
                var result = await child.Output.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                int count = (int)(buffer.Length / sizeof(short));
                if (count > 0)
                {
                    if (samples.Length < count)
                    {
                        samples = new short[count];
                    }

                    buffer.Slice(0, count * sizeof(short)).CopyTo(MemoryMarshal.AsBytes(samples.AsSpan(0, count)));
                    foreach (var utterance in segmenter.Add(samples.AsSpan(0, count)))
                    {
                        _utterances(utterance, BeganAt(utterance));
                    }
                }

                child.Output.AdvanceTo(buffer.GetPosition(count * sizeof(short)), buffer.End);
                if (result.IsCompleted)
                {
                    if (segmenter.Flush() is { } last)
                    {
                        _utterances(last, BeganAt(last));
                    }

                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            LogReadFailed(ex, _stream.Id);
        }
    }

    /// <summary>When an utterance began: its place on the stream's timeline, dated from the last frame fed.</summary>
    private DateTimeOffset BeganAt(Utterance utterance)
    {
        lock (_sync)
        {
            long ms = _firstMs + (long)utterance.Start.TotalMilliseconds;
            return _last.At + TimeSpan.FromMilliseconds(ms - _last.Ms);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the speech decoder's audio of stream {StreamId} failed")]
    private partial void LogReadFailed(Exception exception, string streamId);
}
