using System.Diagnostics.CodeAnalysis;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>Wakes the dispatcher when events were committed or a delivery finished, so an idle server polls nothing.</summary>
[SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose")]
public sealed class WebhookSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // already signalled
        }
    }

    /// <summary>Waits for a signal, at most <paramref name="timeout"/> on <paramref name="time"/>'s clock, or until stopping.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken stopping)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stopping);
        try
        {
            await _signal.WaitAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the timeout (time to look at due retries), or stopping (the caller's loop ends)
        }
    }
}
