using System.Net;

namespace Stagecast.Streaming.Limits;

/// <summary>
/// Counts refused credentials (API and participant tokens, stream keys, SRT passphrases) per client address in a
/// one-minute window. An address past <see cref="MaxFailuresPerWindow"/> is throttled: its further failures are
/// answered slowly (<see cref="Tarpit"/>) and, on the API, with 429 and <c>Retry-After</c>. A valid credential is never
/// refused for its address, so a user behind the same NAT as a guesser still gets in, while the guesser is slowed to
/// one guess per <see cref="Tarpit"/> per connection. Where an answer cannot be held back (an SRT handshake, answered
/// on libsrt's one receiving thread) <see cref="TryAttempt"/> lets a throttled address try once per Tarpit instead.
/// One instance per kind of credential; bounded in the addresses it remembers.
/// </summary>
public sealed class FailedAttemptThrottle(TimeProvider time)
{
    /// <summary>Service keys of the two instances: bearer tokens (API and participant tokens share one budget) and stream keys.</summary>
    public const string Tokens = "tokens";
    public const string StreamKeys = "stream-keys";

    public const int MaxFailuresPerWindow = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Tarpit = TimeSpan.FromSeconds(1);
    private const int MaxTrackedAddresses = 10_000;
    private readonly Dictionary<string, Entry> _failures = new(StringComparer.Ordinal);

    /// <summary>Counts a failure; returns how long the address should wait, or null while it is within its budget.</summary>
    public TimeSpan? RecordFailure(string remote)
    {
        string address = AddressOf(remote);
        long now = time.GetTimestamp();
        lock (_failures)
        {
            if (_failures.Count >= MaxTrackedAddresses && !_failures.ContainsKey(address))
            {
                foreach (var stale in _failures.Where(f => time.GetElapsedTime(f.Value.WindowStart, now) >= Window).Select(f => f.Key).ToList())
                {
                    _failures.Remove(stale);
                }

                if (_failures.Count >= MaxTrackedAddresses)
                {
                    _failures.Remove(_failures.MinBy(f => f.Value.WindowStart).Key);
                }
            }

            var entry = _failures.TryGetValue(address, out var current) && time.GetElapsedTime(current.WindowStart, now) < Window
                ? current with { Failures = current.Failures + 1, LastTry = now }
                : new Entry(now, 1, now);
            _failures[address] = entry;
            return entry.Failures > MaxFailuresPerWindow ? Window - time.GetElapsedTime(entry.WindowStart, now) : null;
        }
    }

    /// <summary>
    /// Whether the address may try now: true within its budget, and for a throttled address once per
    /// <see cref="Tarpit"/> after its last try or failure (this try then counts as its last). A try that fails is
    /// still to be counted with <see cref="RecordFailure"/>.
    /// </summary>
    public bool TryAttempt(string remote)
    {
        string address = AddressOf(remote);
        long now = time.GetTimestamp();
        lock (_failures)
        {
            if (!_failures.TryGetValue(address, out var entry)
                || entry.Failures < MaxFailuresPerWindow
                || time.GetElapsedTime(entry.WindowStart, now) >= Window)
            {
                return true;
            }

            if (time.GetElapsedTime(entry.LastTry, now) < Tarpit)
            {
                return false;
            }

            _failures[address] = entry with { LastTry = now };
            return true;
        }
    }

    /// <summary>"1.2.3.4:5678" and "[::1]:5678" become the address alone.</summary>
    public static string AddressOf(string remote) =>
        IPEndPoint.TryParse(remote, out var endpoint) ? endpoint.Address.ToString() : remote;

    private readonly record struct Entry(long WindowStart, int Failures, long LastTry);
}
