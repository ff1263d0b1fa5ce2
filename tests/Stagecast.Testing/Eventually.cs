namespace Stagecast.Testing;

/// <summary>
/// Waits on facts, not on time: polls an observable condition until it holds or the (generous) timeout passes, then
/// fails with what was last seen. The one place the tests poll; everything that waits for the system goes through it.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> is true.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        await MatchAsync(condition, ok => ok, what, timeout).ConfigureAwait(false);

    /// <summary>Probes until the value matches; returns that value.</summary>
    public static Task<T> MatchAsync<T>(Func<T> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null, Func<T, string>? describe = null) =>
        MatchAsync(() => Task.FromResult(probe()), condition, what, timeout, describe);

    /// <summary>Probes until the value matches; returns that value. A probe that throws anything but "not answering yet" fails at once.</summary>
    public static async Task<T> MatchAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null, Func<T, string>? describe = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            T value;
            Exception? failure = null;
            try
            {
                value = await probe().ConfigureAwait(false);
                if (condition(value))
                {
                    return value;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or System.Net.Sockets.SocketException)
            {
                value = default!;
                failure = ex; // not answering yet is one more thing to wait out
            }

            if (DateTime.UtcNow > deadline)
            {
                string last = failure?.Message ?? (describe is null ? value?.ToString() : describe(value)) ?? "nothing";
                throw new TimeoutException($"waited {(timeout ?? DefaultTimeout).TotalSeconds:0} s for {what}; last seen: {last}");
            }

            // The only sleep of the polling: the interval between two looks at the fact.
            await Task.Delay(Interval).ConfigureAwait(false);
        }
    }
}
