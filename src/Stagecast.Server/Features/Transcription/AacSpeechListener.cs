using System.Buffers;
using System.Runtime.InteropServices;
using Stagecast.FfmpegProcesses;
using Stagecast.Speech;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// Listens to a livestream's AAC (RTMP, SRT) for its captions: one ffmpeg for the stream, fed its audio as FLV (<see cref="AacFeed"/>) and read
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
    private readonly SupervisedFfmpeg _ffmpeg;
    private readonly AacFeed _feed;
    private readonly Lock _sync = new();

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
        _feed = new AacFeed(stream, _ffmpeg, "speech", Fed);
    }

    /// <summary>The running ffmpeg's process id, if one runs (diagnostics and tests).</summary>
    public int? ProcessId => _ffmpeg.ProcessId;

    public async ValueTask DisposeAsync()
    {
        await _feed.DisposeAsync().ConfigureAwait(false);
        await _ffmpeg.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Notes when the stream took the frame about to be fed: what dates the utterances.</summary>
    private void Fed(MediaFrame frame)
    {
        var at = _time.GetUtcNow() - _time.GetElapsedTime(frame.ReceivedAt);
        lock (_sync)
        {
            _last = (frame.Timestamp, at);
        }
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
            long ms = _feed.FirstMs + (long)utterance.Start.TotalMilliseconds;
            return _last.At + TimeSpan.FromMilliseconds(ms - _last.Ms);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the speech decoder's audio of stream {StreamId} failed")]
    private partial void LogReadFailed(Exception exception, string streamId);
}
