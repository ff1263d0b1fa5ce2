using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Stagecast.Speech;

/// <summary>
/// An utterance to recognise, whose it is (<paramref name="Speaker"/> names it in logs) and how (its source's
/// <paramref name="Settings"/>: the engine's defaults when null); a caller derives its own job to carry what it needs
/// back (a meeting's peer, when the utterance was said).
/// </summary>
public record UtteranceJob(string Speaker, Utterance Utterance, SpeechSettings? Settings = null);

/// <summary>How a job ended.</summary>
public enum UtteranceOutcome
{
    /// <summary>Words were heard (<see cref="Transcribed.Text"/>).</summary>
    Heard,

    /// <summary>Recognised, and no words in it.</summary>
    Silent,

    /// <summary>The engine failed on it (logged).</summary>
    Failed,

    /// <summary>Dropped unrecognised: the queue was full.</summary>
    Dropped,

    /// <summary>Not recognised: too much of it was made up for lost packets (<see cref="Utterance.IsDamaged"/>).</summary>
    Damaged,
}

/// <summary>How a job ended: its words (empty unless <see cref="UtteranceOutcome.Heard"/>), and how long recognising them took.</summary>
public sealed record Transcribed(UtteranceJob Job, UtteranceOutcome Outcome, string Text, TimeSpan Took);

/// <summary>
/// The server's speech work: utterances from every speaker wait here and one worker recognises them in turn, so
/// recognition never runs on a media thread and takes one core at most. The queue is bounded: when it is full the
/// oldest utterance is dropped (a caption that comes late is worth less than the next one), counted in
/// <see cref="Dropped"/> and logged, so a server that cannot keep up degrades its captions and never stalls a meeting.
/// Every job added ends in one call of the <c>done</c> callback, whatever became of it, so a caller can count what it
/// has in the queue.
/// </summary>
public sealed partial class SpeechWorker : IAsyncDisposable
{
    private readonly ISpeechRecognizer _recognizer;
    private readonly Action<Transcribed> _done;
    private readonly ILogger _logger;
    private readonly Channel<UtteranceJob> _jobs;
    private readonly Task _worker;
    private volatile bool _stopping;
    private long _dropped;
    private long _damaged;
    private long _recognised;
    private long _audioTicks;
    private long _workTicks;

    public SpeechWorker(ISpeechRecognizer recognizer, int capacity, Action<Transcribed> done, ILogger logger)
    {
        _recognizer = recognizer;
        _done = done;
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

    /// <summary>Utterances not recognised because too much of them was made up for lost packets.</summary>
    public long Damaged => Interlocked.Read(ref _damaged);

    /// <summary>Utterances recognised.</summary>
    public long Recognised => Interlocked.Read(ref _recognised);

    /// <summary>Time spent recognising over the length of the audio recognised (below 1: faster than speech).</summary>
    public double RealTimeFactor => Interlocked.Read(ref _audioTicks) is > 0 and long audio ? (double)Interlocked.Read(ref _workTicks) / audio : 0;

    /// <summary>
    /// Queues an utterance; false once the queue is closed. A damaged one (<see cref="Utterance.IsDamaged"/>) is not
    /// queued but ended at once as <see cref="UtteranceOutcome.Damaged"/>: an engine fed broken audio hears nonsense
    /// with confidence, and it would take an undamaged utterance's turn.
    /// </summary>
    public bool Add(UtteranceJob job)
    {
        if (!job.Utterance.IsDamaged)
        {
            return _jobs.Writer.TryWrite(job);
        }

        long damaged = Interlocked.Increment(ref _damaged);
        if (damaged == 1 || damaged % 100 == 0)
        {
            LogDamaged(job.Speaker, job.Utterance.ConcealedSamples * 100 / Math.Max(1, job.Utterance.Samples.Length), damaged);
        }

        Deliver(new Transcribed(job, UtteranceOutcome.Damaged, "", TimeSpan.Zero));
        return true;
    }

    /// <summary>
    /// Stops: the utterance being recognised finishes, and those still waiting are dropped unrecognised (each
    /// delivered as <see cref="UtteranceOutcome.Dropped"/>), so a server that stops waits for one utterance, not for
    /// minutes of them.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
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

        Deliver(new Transcribed(job, UtteranceOutcome.Dropped, "", TimeSpan.Zero));
    }

    private async Task RunAsync()
    {
        await foreach (var job in _jobs.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_stopping)
            {
                Drop(job);
                continue;
            }

            long started = Stopwatch.GetTimestamp();
            Transcribed result;
            try
            {
                string text = _recognizer.Recognize(job.Utterance.Samples, job.Settings);
                text = job.Settings is { ProfanityFilter: true } ? ProfanityFilter.Mask(text) : text;
                var took = Stopwatch.GetElapsedTime(started);
                Interlocked.Increment(ref _recognised);
                Interlocked.Add(ref _workTicks, took.Ticks);
                Interlocked.Add(ref _audioTicks, (job.Utterance.End - job.Utterance.Start).Ticks);
                result = new Transcribed(job, text.Length > 0 ? UtteranceOutcome.Heard : UtteranceOutcome.Silent, text, took);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFailed(ex, job.Speaker); // one utterance lost; the worker goes on
                result = new Transcribed(job, UtteranceOutcome.Failed, "", Stopwatch.GetElapsedTime(started));
            }

            Deliver(result);
        }
    }

    private void Deliver(Transcribed result)
    {
        try
        {
            _done(result);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogDeliveryFailed(ex, result.Job.Speaker);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transcription is behind: an utterance of {Speaker} was dropped ({Dropped} so far); captions are skipped until it catches up")]
    private partial void LogDropped(string speaker, long dropped);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "An utterance of {Speaker} was not recognised: {Percent} % of it was made up for packets lost on the way ({Damaged} so far); its words are not captioned")]
    private partial void LogDamaged(string speaker, long percent, long damaged);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recognising an utterance of {Speaker} failed")]
    private partial void LogFailed(Exception exception, string speaker);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering what was heard of {Speaker} failed")]
    private partial void LogDeliveryFailed(Exception exception, string speaker);
}
