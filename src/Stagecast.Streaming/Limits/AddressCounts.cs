using System.Collections.Concurrent;

namespace Stagecast.Streaming.Limits;

/// <summary>
/// What each client address has open (RTMP connections, WebRTC sessions, HTTP connections), for per-address caps.
/// Addresses back at zero are forgotten, so the table holds only addresses with something open.
/// </summary>
public sealed class AddressCounts
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Counts one more for <paramref name="address"/> unless it has <paramref name="max"/> already; true when counted.</summary>
    public bool TryAdd(string address, int max)
    {
        if (_counts.AddOrUpdate(address, 1, static (_, n) => n + 1) <= max)
        {
            return true;
        }

        Remove(address);
        return false;
    }

    /// <summary>Counts one less for an address that <see cref="TryAdd"/> counted.</summary>
    public void Remove(string address)
    {
        if (_counts.AddOrUpdate(address, 0, static (_, n) => n - 1) <= 0)
        {
            _counts.TryRemove(new KeyValuePair<string, int>(address, 0));
        }
    }
}
