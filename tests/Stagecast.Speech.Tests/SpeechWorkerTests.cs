using Microsoft.Extensions.Logging.Abstractions;
using Stagecast.Testing;

namespace Stagecast.Speech.Tests;

/// <summary>
/// The server's speech work in one bounded queue: utterances are recognised in turn off the caller's thread; when the
/// engine falls behind, the oldest waiting utterances are dropped and counted, and one that fails loses only itself.
/// The engine here is a stand-in that holds its first utterance until told (a real decoder cannot be paused) and
/// "hears" utterance N (one sample of value N) as "uN", and nothing in utterance 3.
/// </summary>
public sealed class SpeechWorkerTests
{
    [Fact]
    public async Task AWorkerThatFallsBehindDropsTheOldestWaitingUtterancesAndGoesOn()
    {
        using var engine = new HeldEngine();
        var ended = new List<Transcribed>();
        var worker = new SpeechWorker(engine, capacity: 2, ended.Add, NullLogger.Instance);
        await using (worker)
        {
            Assert.True(worker.Add(Job(0)));
            await engine.Started.Task; // u0 is being recognised; the next ones wait
            for (short i = 1; i <= 5; i++)
            {
                Assert.True(worker.Add(Job(i)));
            }

            Assert.Equal(3, worker.Dropped); // u1, u2, u3: the two newest wait
            engine.Release.Set();
            await Eventually.TrueAsync(() => worker.Recognised == 3, "the waiting utterances to be recognised");
        }

        // Every job ends in one call, the dropped ones first (as they are dropped).
        Assert.Equal(["1 Dropped", "2 Dropped", "3 Dropped", "0 Heard u0", "4 Heard u4", "5 Heard u5"],
            ended.Select(t => $"{t.Job.Utterance.Samples[0]} {t.Outcome}{(t.Text.Length > 0 ? " " + t.Text : "")}"));
        Assert.Equal(3, worker.Recognised);
        Assert.False(worker.Add(Job(6)), "a closed worker takes nothing");
    }

    [Fact]
    public async Task AnUtteranceThatFailsLosesOnlyItself()
    {
        using var engine = new HeldEngine { FailOn = 1 };
        engine.Release.Set();
        var ended = new List<Transcribed>();
        await using (var worker = new SpeechWorker(engine, capacity: 8, ended.Add, NullLogger.Instance))
        {
            worker.Add(Job(1));
            worker.Add(Job(2));
            worker.Add(Job(3));
            await Eventually.TrueAsync(() => ended.Count == 3, "the three utterances to end");
        }

        Assert.Equal([(UtteranceOutcome.Failed, ""), (UtteranceOutcome.Heard, "u2"), (UtteranceOutcome.Silent, "")], ended.Select(t => (t.Outcome, t.Text)));
    }

    [Fact]
    public async Task AStoppingWorkerFinishesTheUtteranceUnderWayAndDropsThoseWaiting()
    {
        using var engine = new HeldEngine();
        var ended = new List<Transcribed>();
        var worker = new SpeechWorker(engine, capacity: 8, ended.Add, NullLogger.Instance);
        worker.Add(Job(0));
        await engine.Started.Task;
        worker.Add(Job(1));
        worker.Add(Job(2));

        // The server stops while u0 is recognised: a stop waits for u0 only (a real engine cannot be interrupted), never for those queued.
        var stopping = worker.DisposeAsync().AsTask();
        Assert.False(stopping.IsCompleted);
        engine.Release.Set();
        await stopping;

        Assert.Equal(["0 Heard u0", "1 Dropped", "2 Dropped"], ended.Select(t => $"{t.Job.Utterance.Samples[0]} {t.Outcome}{(t.Text.Length > 0 ? " " + t.Text : "")}"));
        Assert.Equal((1, 2), (worker.Recognised, worker.Dropped));
    }

    [Fact]
    public async Task ADamagedUtteranceIsNeverRecognisedButEndsAtOnceAsDamaged()
    {
        using var engine = new HeldEngine();
        engine.Release.Set();
        var ended = new List<Transcribed>();
        await using (var worker = new SpeechWorker(engine, capacity: 8, ended.Add, NullLogger.Instance))
        {
            Assert.True(worker.Add(new UtteranceJob("ada", new Utterance(0, [7, 7, 7, 7, 7, 7, 7, 7, 7, 7], ConcealedSamples: 2))));
            Assert.Equal(UtteranceOutcome.Damaged, Assert.Single(ended).Outcome);
            Assert.Equal(1, worker.Damaged);
            worker.Add(Job(4));
            await Eventually.TrueAsync(() => worker.Recognised == 1, "the undamaged one recognised");
        }

        Assert.Equal([(UtteranceOutcome.Damaged, ""), (UtteranceOutcome.Heard, "u4")], ended.Select(t => (t.Outcome, t.Text)));
    }

    private static UtteranceJob Job(short n) => new("ada", new Utterance(0, [n]));

    private sealed class HeldEngine : ISpeechRecognizer
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim Release { get; } = new();

        public short? FailOn { get; init; }

        public string Engine => "held";

        public bool Recognises(string language) => true;

        public string Recognize(ReadOnlySpan<short> samples, SpeechSettings? settings = null)
        {
            Started.TrySetResult();
            Release.Wait();
            return samples[0] == FailOn ? throw new InvalidOperationException("the engine failed") : samples[0] == 3 ? "" : $"u{samples[0]}";
        }

        public void Dispose() => Release.Dispose();
    }
}
