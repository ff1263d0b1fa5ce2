using Microsoft.Extensions.Options;
using Stagecast.Streaming.Limits;

namespace Stagecast.Srt.Server;

/// <summary>
/// SRT connections in total and per client address, and handshakes that failed after the callback let them on (libsrt
/// checks the passphrase after it) per client address. The handshake callback checks the caps and the failures
/// (refusing in the handshake); a connection is counted when it is accepted and uncounted when it closes, so a
/// handshake that fails after the check leaves nothing behind but its failure. An address past its budget of failed
/// handshakes may try once a second (<see cref="FailedAttemptThrottle.TryAttempt"/>): a passphrase guesser is slowed,
/// and a caller with the passphrase behind the same address still gets in, if more slowly.
/// </summary>
public sealed class SrtAdmission(IOptions<SrtServerOptions> options, TimeProvider time)
{
    private readonly SrtServerOptions _options = options.Value;
    private readonly AddressCounts _perAddress = new();
    private readonly FailedAttemptThrottle _failedHandshakes = new(time);
    private int _connections;
    private long _refused;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections refused for a cap, in the handshake or at accept.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refused);

    /// <summary>Why a new connection from <paramref name="address"/> would be refused now, or null (counting nothing but the try).</summary>
    public string? Check(string address)
    {
        string? refusal = TryAdmit(address);
        if (refusal is null)
        {
            Leave(address);
            if (!_failedHandshakes.TryAttempt(address))
            {
                CountRefusal();
                refusal = $"more than {FailedAttemptThrottle.MaxFailuresPerWindow} failed handshakes from this address in a minute (a wrong passphrase?): one try a second";
            }
        }

        return refusal;
    }

    /// <summary>A caller's handshake failed after the callback let it on: a wrong or missing passphrase, most likely.</summary>
    public void HandshakeFailed(string address) => _failedHandshakes.RecordFailure(address);

    /// <summary>Counts an accepted connection, or says why not. Each one counted must be <see cref="Leave"/>d.</summary>
    public string? TryAdmit(string address)
    {
        string? refusal = null;
        if (Interlocked.Increment(ref _connections) > _options.MaxConnections)
        {
            refusal = $"the server has {_options.MaxConnections} SRT connections already";
        }
        else if (!_perAddress.TryAdd(address, _options.MaxConnectionsPerAddress))
        {
            refusal = $"{_options.MaxConnectionsPerAddress} SRT connections from this address already";
        }

        if (refusal is not null)
        {
            Interlocked.Decrement(ref _connections);
            CountRefusal();
        }

        return refusal;
    }

    public void Leave(string address)
    {
        _perAddress.Remove(address);
        Interlocked.Decrement(ref _connections);
    }

    public void CountRefusal() => Interlocked.Increment(ref _refused);
}
