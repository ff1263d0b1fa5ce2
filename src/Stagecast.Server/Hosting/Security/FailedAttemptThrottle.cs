using System.Net;

namespace Stagecast.Server.Hosting.Security;

/// <summary>
/// Counts refused credentials (API and participant tokens, stream keys) per client address in a one-minute window. An address past
/// <see cref="MaxFailuresPerWindow"/> is throttled: its further failures are answered slowly (<see cref="Tarpit"/>)
/// and, on the API, with 429 and <c>Retry-After</c>. A valid credential is never refused for its address, so a user
/// behind the same NAT as a guesser still gets in, while the guesser is slowed to one guess per
/// <see cref="Tarpit"/> per connection. One instance per kind of credential; bounded in the addresses it remembers.
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
    private readonly Dictionary<string, (long WindowStart, int Failures)> _failures = new(StringComparer.Ordinal);

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
                ? (current.WindowStart, current.Failures + 1)
                : (now, 1);
            _failures[address] = entry;
            return entry.Item2 > MaxFailuresPerWindow ? Window - time.GetElapsedTime(entry.Item1, now) : null;
        }
    }

    /// <summary>"1.2.3.4:5678" and "[::1]:5678" become the address alone.</summary>
    public static string AddressOf(string remote) =>
        IPEndPoint.TryParse(remote, out var endpoint) ? endpoint.Address.ToString() : remote;
}
