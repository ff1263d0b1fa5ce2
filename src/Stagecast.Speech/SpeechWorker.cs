using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Stagecast.Speech;

/// <summary>An utterance to recognise, and whose it is (the caller's key: a meeting's peer).</summary>
public sealed record UtteranceJob(string Speaker, Utterance Utterance);

/// <summary>What was heard: the job, its words, and how long recognising them took.</summary>
public sealed record Transcribed(UtteranceJob Job, string Text, TimeSpan Took);

/// <summary>
/// The server's speech work: utterances from every speaker wait here and one worker recognises them in turn, so
/// recognition never runs on a media thread and takes one core at most. The queue is bounded: when it is full the
/// oldest utterance is dropped (a caption that comes late is worth less than the next one), counted in
/// <see cref="Dropped"/> and logged, so a server that cannot keep up degrades its captions and never stalls a meeting.
/// </summary>
public sealed partial class SpeechWorker : IAsyncDisposable
{
    private readonly ISpeechRecognizer _recognizer;
    private readonly Action<Transcribed> _heard;
    private readonly ILogger _logger;
    private readonly Channel<UtteranceJob> _jobs;
    private readonly Task _worker;
    private long _dropped;
    private long _recognised;
    private long _audioTicks;
    private long _workTicks;

    public SpeechWorker(ISpeechRecognizer recognizer, int capacity, Action<Transcribed> heard, ILogger logger)
    {
        _recognizer = recognizer;
        _heard = heard;
        _logger = logger;
        _jobs = Channel.CreateBounded<UtteranceJob>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        }, Drop);
        _worker = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Utterances dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Utterances recognised.</summary>
    public long Recognised => Interlocked.Read(ref _recognised);

    /// <summary>Time spent recognising over the length of the audio recognised (below 1: faster than speech).</summary>
    public double RealTimeFactor => Interlocked.Read(ref _audioTicks) is > 0 and long audio ? (double)Interlocked.Read(ref _workTicks) / audio : 0;

    /// <summary>Queues an utterance; false once the queue is closed.</summary>
    public bool Add(UtteranceJob job) => _jobs.Writer.TryWrite(job);

    public async ValueTask DisposeAsync()
    {
        _jobs.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
    }

    private void Drop(UtteranceJob job)
    {
        long dropped = Interlocked.Increment(ref _dropped);
        if (dropped == 1 || dropped % 100 == 0)
        {
            LogDropped(job.Speaker, dropped);
        }
    }

    private async Task RunAsync()
    {
        await foreach (var job in _jobs.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            long started = Stopwatch.GetTimestamp();
            try
            {
                string text = _recognizer.Recognize(job.Utterance.Samples);
                var took = Stopwatch.GetElapsedTime(started);
                Interlocked.Increment(ref _recognised);
                Interlocked.Add(ref _workTicks, took.Ticks);
                Interlocked.Add(ref _audioTicks, (job.Utterance.End - job.Utterance.Start).Ticks);
                if (text.Length > 0)
                {
                    _heard(new Transcribed(job, text, took));
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFailed(ex, job.Speaker); // one utterance lost; the worker goes on
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transcription is behind: an utterance of {Speaker} was dropped ({Dropped} so far); captions are skipped until it catches up")]
    private partial void LogDropped(string speaker, long dropped);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recognising or delivering an utterance of {Speaker} failed")]
    private partial void LogFailed(Exception exception, string speaker);
}
