using System.Diagnostics;

namespace Stagecast.Bench;

/// <summary>
/// Paces every publisher from one ticker: each tick, each publisher writes the bytes whose timestamps have come
/// due. A publisher whose previous write has not finished (the server is not reading) falls behind; that lag is
/// recorded, never hidden.
/// </summary>
public sealed class LoadDriver : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);
    private readonly List<(ReplayPublisher Publisher, long StreamStart)> _publishers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoadDriver() => _loop = Task.Run(RunAsync);

    public int Count
    {
        get
        {
            lock (_publishers)
            {
                return _publishers.Count;
            }
        }
    }

    public IReadOnlyList<ReplayPublisher> Publishers
    {
        get
        {
            lock (_publishers)
            {
                return _publishers.Select(p => p.Publisher).ToList();
            }
        }
    }

    /// <summary>
    /// Connects publishers (a few at a time) and starts pacing each as soon as it publishes. One that cannot publish
    /// within 30 s is kept as failed, which makes its step unhealthy (a server past its ceiling stops answering
    /// publishes: nginx-rtmp at 1,200 publishers on 2026-12-02, which ended the whole run before); only when none
    /// could publish is it an error.
    /// </summary>
    public async Task<IReadOnlyList<ReplayPublisher>> AddAsync(IReadOnlyList<ReplayPublisher> publishers, string host, int port, string app)
    {
        await Parallel.ForEachAsync(publishers, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (publisher, cancellation) =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await publisher.ConnectAsync(host, port, app, timeout.Token);
            }
            catch (Exception) when (publisher.Failed)
            {
                // kept, failed: its step counts it
            }

            lock (_publishers)
            {
                _publishers.Add((publisher, Stopwatch.GetTimestamp()));
            }
        });
        if (publishers.Count > 0 && publishers.All(p => p.Failed))
        {
            throw new IOException($"no publisher could publish: {publishers[0].Error}");
        }

        return publishers;
    }

    /// <summary>Resets the lag counters (to measure one window).</summary>
    public void ResetLag()
    {
        foreach (var publisher in Publishers)
        {
            publisher.MaxLagMs = 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var publisher in Publishers)
        {
            await publisher.DisposeAsync();
        }
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(Tick);
        (ReplayPublisher Publisher, long StreamStart)[] snapshot = [];
        while (await timer.WaitForNextTickAsync(_stop.Token))
        {
            lock (_publishers)
            {
                if (snapshot.Length != _publishers.Count)
                {
                    snapshot = [.. _publishers];
                }
            }

            long now = Stopwatch.GetTimestamp();
            foreach (var (publisher, start) in snapshot)
            {
                if (publisher.Failed)
                {
                    continue;
                }

                long elapsedMs = (long)Stopwatch.GetElapsedTime(start, now).TotalMilliseconds;
                var loop = publisher.Clip.LoopAt(publisher.LoopIndex);
                int next = publisher.NextTag;
                if (loop.Timestamps[next] > elapsedMs)
                {
                    continue; // nothing due
                }

                long lag = elapsedMs - loop.Timestamps[next];
                if (lag > publisher.MaxLagMs)
                {
                    publisher.MaxLagMs = lag;
                }

                if (publisher.IsSending)
                {
                    continue; // the server has not taken the last write yet
                }

                int end = next;
                while (end + 1 < loop.Timestamps.Length && loop.Timestamps[end + 1] <= elapsedMs)
                {
                    end++;
                }

                publisher.Send(loop, end, now);
            }
        }
    }
}
