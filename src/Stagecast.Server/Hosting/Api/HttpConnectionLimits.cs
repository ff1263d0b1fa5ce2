using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Hosting.Api;

/// <summary>Caps on HTTP connections (<c>Stagecast:Http</c>).</summary>
public sealed class HttpConnectionOptions
{
    /// <summary>HTTP connections open at once, from everyone.</summary>
    [Range(1, int.MaxValue)]
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// HTTP connections open at once from one client address. An LL-HLS player holds one or two (a blocking playlist
    /// reload and a part), so 1,000 lets several hundred viewers share a NAT; behind a reverse proxy every connection
    /// comes from the proxy's address: raise this to <see cref="MaxConnections"/>.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxConnectionsPerAddress { get; set; } = 1_000;

    /// <summary>The request line and headers must arrive within this time of the request's first byte (slowloris).</summary>
    [Duration]
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Connection middleware on the HTTP listener: a connection past either cap is answered, before any request is
/// parsed, with a 503 carrying the error envelope and <c>Retry-After</c>, and closed. Refusals are counted for the
/// metrics and logged through the <see cref="RefusalLog"/>. Request deadlines are Kestrel's (see <see cref="HttpErrors"/>).
/// </summary>
public sealed class HttpConnectionLimits(IOptions<HttpConnectionOptions> options, RefusalLog refusals)
{
    private readonly HttpConnectionOptions _options = options.Value;
    private readonly AddressCounts _perAddress = new();
    private int _connections;
    private long _refused;

    public int Connections => Volatile.Read(ref _connections);

    public long RefusedConnections => Interlocked.Read(ref _refused);

    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        string address = (connection.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "unknown";
        string? refusal = null;
        if (Interlocked.Increment(ref _connections) > _options.MaxConnections)
        {
            refusal = $"the server has {_options.MaxConnections} HTTP connections open already";
        }
        else if (!_perAddress.TryAdd(address, _options.MaxConnectionsPerAddress))
        {
            refusal = $"{_options.MaxConnectionsPerAddress} HTTP connections from this address are open already";
        }

        if (refusal is not null)
        {
            Interlocked.Decrement(ref _connections);
            Interlocked.Increment(ref _refused);
            refusals.Refused("an HTTP connection", address, refusal);
            await RefuseAsync(connection, refusal).ConfigureAwait(false);
            return;
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            _perAddress.Remove(address);
            Interlocked.Decrement(ref _connections);
        }
    };

    /// <summary>Reads what the client sent first (so closing does not reset the answer away), answers 503 and closes.</summary>
    private static async Task RefuseAsync(ConnectionContext connection, string refusal)
    {
        try
        {
            using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
            {
                try
                {
                    var read = await connection.Transport.Input.ReadAsync(wait.Token).ConfigureAwait(false);
                    connection.Transport.Input.AdvanceTo(read.Buffer.End);
                }
                catch (OperationCanceledException)
                {
                    // Nothing sent within a second: answer anyway.
                }
            }

            byte[] answer = ApiResults.RawErrorResponse(
                "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close\r\n",
                StatusCodes.Status503ServiceUnavailable, refusal);
            await connection.Transport.Output.WriteAsync(answer).ConfigureAwait(false);
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or InvalidOperationException)
        {
            // The client went away: closing is all that is left.
        }
    }
}
