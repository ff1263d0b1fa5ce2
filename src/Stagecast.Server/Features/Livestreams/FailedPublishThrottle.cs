using System.Net;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>
/// Slows down stream key guessing: an address with too many refused publish attempts in a minute is refused
/// outright, without a database lookup, until the minute passes. Bounded in the addresses it remembers.
/// </summary>
public sealed class FailedPublishThrottle(TimeProvider time)
{
    public const int MaxFailuresPerWindow = 10;
    private const int MaxTrackedAddresses = 10_000;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, (long WindowStart, int Failures)> _failures = new(StringComparer.Ordinal);

    public bool IsBlocked(string remote)
    {
        string address = AddressOf(remote);
        lock (_failures)
        {
            return _failures.TryGetValue(address, out var entry)
                && time.GetElapsedTime(entry.WindowStart) < Window
                && entry.Failures >= MaxFailuresPerWindow;
        }
    }

    public void RecordFailure(string remote)
    {
        string address = AddressOf(remote);
        long now = time.GetTimestamp();
        lock (_failures)
        {
            if (_failures.Count >= MaxTrackedAddresses)
            {
                foreach (var stale in _failures.Where(f => time.GetElapsedTime(f.Value.WindowStart, now) >= Window).Select(f => f.Key).ToList())
                {
                    _failures.Remove(stale);
                }
            }

            _failures[address] = _failures.TryGetValue(address, out var entry) && time.GetElapsedTime(entry.WindowStart, now) < Window
                ? (entry.WindowStart, entry.Failures + 1)
                : (now, 1);
        }
    }

    /// <summary>"1.2.3.4:5678" and "[::1]:5678" become the address alone.</summary>
    private static string AddressOf(string remote) =>
        IPEndPoint.TryParse(remote, out var endpoint) ? endpoint.Address.ToString() : remote;
}
