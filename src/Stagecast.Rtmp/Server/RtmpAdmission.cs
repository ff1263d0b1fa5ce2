using Microsoft.Extensions.Options;
using Stagecast.Rtmp.Sessions;
using Stagecast.Streaming.Limits;

namespace Stagecast.Rtmp.Server;

/// <summary>
/// What RTMP clients may take before they are trusted: connections in total and per address, and the bytes of
/// incomplete messages buffered across all connections (<see cref="RtmpServerOptions.MaxBufferedBytes"/>). A
/// connection is refused at accept when a cap is reached or the buffer budget is nearly spent; a connection that
/// asks for more buffer than the budget has left is closed (see <see cref="Chunking.ChunkReader"/>).
/// </summary>
public sealed class RtmpAdmission(IOptions<RtmpServerOptions> options) : Chunking.IBufferBudget
{
    private readonly RtmpServerOptions _options = options.Value;
    private readonly AddressCounts _perAddress = new();
    private int _connections;
    private long _buffered;
    private long _refusedConnections;
    private long _closedForBuffers;

    public int Connections => Volatile.Read(ref _connections);

    public long BufferedBytes => Interlocked.Read(ref _buffered);

    /// <summary>Connections refused at accept (caps or buffer budget).</summary>
    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    /// <summary>Connections closed because the buffer budget (theirs or the server's) was spent.</summary>
    public long ClosedForBuffers => Interlocked.Read(ref _closedForBuffers);

    /// <summary>Admits a connection from an address, or says why not. Each admitted connection must be <see cref="Leave"/>d.</summary>
    public string? TryAdmit(string address)
    {
        string? refusal = null;
        if (Interlocked.Increment(ref _connections) > _options.MaxConnections)
        {
            refusal = $"the server has {_options.MaxConnections} RTMP connections already";
        }
        else if (BufferedBytes > _options.MaxBufferedBytes * 9 / 10)
        {
            refusal = "the server's buffer budget for incoming messages is nearly spent";
        }
        else if (!_perAddress.TryAdd(address, _options.MaxConnectionsPerAddress))
        {
            refusal = $"{_options.MaxConnectionsPerAddress} RTMP connections from this address already";
        }

        if (refusal is not null)
        {
            Interlocked.Decrement(ref _connections);
            Interlocked.Increment(ref _refusedConnections);
        }

        return refusal;
    }

    public void Leave(string address)
    {
        _perAddress.Remove(address);
        Interlocked.Decrement(ref _connections);
    }

    /// <summary>Takes <paramref name="bytes"/> from the shared budget, or returns false (and counts it) when it is spent.</summary>
    public bool TryBuffer(long bytes)
    {
        long current = Interlocked.Read(ref _buffered);
        while (current + bytes <= _options.MaxBufferedBytes)
        {
            long seen = Interlocked.CompareExchange(ref _buffered, current + bytes, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        Interlocked.Increment(ref _closedForBuffers);
        return false;
    }

    public void Unbuffer(long bytes) => Interlocked.Add(ref _buffered, -bytes);

    /// <summary>Counts a connection closed for exceeding its own buffer limit.</summary>
    public void CountClosedForBuffers() => Interlocked.Increment(ref _closedForBuffers);
}
