using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Hosting.Security;

/// <summary>
/// Where the server may connect on a user's behalf (webhooks, restream outputs, room streams, recording uploads): only to public
/// addresses (<see cref="NetworkAddresses.IsPublic"/>) unless the operator allows private ones for that kind, and
/// never to the server's own listeners (HTTP, RTMP, metrics, ICE-TCP), whatever the operator allows: a restream
/// output pointed at the server's own ingest would publish into it again, and again. Checked when a destination is
/// saved (every address its host resolves to) and again at every connect, on the addresses actually dialled, since
/// DNS answers change.
/// </summary>
public sealed class DestinationPolicy(ListeningEndpoints endpoints, PublicUrls urls, WebRtcTransport webRtc)
{
    /// <summary>Null when <paramref name="url"/> may be saved; otherwise why not, for the 400.</summary>
    public async Task<string?> CheckAsync(Uri url, int port, bool allowPrivate, string allowFlag, CancellationToken cancellationToken)
    {
        if (IsOwnIngest(url, port))
        {
            return "\"url\" is this server's own ingest; it may not send to itself";
        }

        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(url.IdnHost, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return $"\"url\" host {url.Host} does not resolve";
        }

        if (addresses.Length == 0)
        {
            return $"\"url\" host {url.Host} does not resolve";
        }

        if (addresses.FirstOrDefault(a => IsOwn(a, port)) is not null)
        {
            return $"\"url\" points at one of this server's own listeners; it may not send to itself";
        }

        return !allowPrivate && addresses.FirstOrDefault(a => !NetworkAddresses.IsPublic(a)) is { } blocked
            ? $"\"url\" resolves to {blocked}, a private, loopback or link-local address; the operator may allow those with {allowFlag}"
            : null;
    }

    /// <summary>The addresses <paramref name="host"/> may be dialled at now; empty when none may.</summary>
    public async Task<IPAddress[]> AllowedAddressesAsync(string host, int port, bool allowPrivate, CancellationToken cancellationToken) =>
        [.. (await ResolveAsync(host, cancellationToken).ConfigureAwait(false)).Where(a => !IsOwn(a, port) && (allowPrivate || NetworkAddresses.IsPublic(a)))];

    /// <summary>
    /// The HTTP handler for requests on a user's behalf (webhook deliveries, recording uploads): it connects only to
    /// addresses this policy allows, checked at connect time on the addresses actually dialled (a DNS answer that
    /// changed since the URL was saved cannot reach the private network), follows no redirects (a redirect could
    /// point anywhere) and ignores any proxy configured in the environment (the check would see the proxy, not the
    /// destination). A refused destination fails the request with a <see cref="DestinationRefusedException"/> inside.
    /// </summary>
    public SocketsHttpHandler HttpHandler(bool allowPrivate, string allowFlag, TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowPrivate, allowFlag, cancellationToken),
    };

    private async ValueTask<Stream> ConnectAsync(DnsEndPoint destination, bool allowPrivate, string allowFlag, CancellationToken cancellationToken)
    {
        var allowed = await AllowedAddressesAsync(destination.Host, destination.Port, allowPrivate, cancellationToken).ConfigureAwait(false);
        if (allowed.Length == 0)
        {
            throw new DestinationRefusedException($"{destination.Host} resolves only to addresses the server may not connect to (private, loopback, " +
                $"link-local or its own); the operator may allow private ones with {allowFlag}");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, destination.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>True for an address of this machine (loopback, unspecified or an interface's) on one of the server's ports.</summary>
    public bool IsOwn(IPAddress address, int port)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (!OwnPorts().Contains(port))
        {
            return false;
        }

        return IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || NetworkInterface.GetAllNetworkInterfaces().Any(i => i.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(address)));
    }

    /// <summary>The ingest URL encoders are given (<c>--rtmp-url</c>) may name a host that resolves elsewhere (a NAT, a load balancer).</summary>
    private bool IsOwnIngest(Uri url, int port)
    {
        var ingest = new Uri(urls.IngestServer);
        int ingestPort = ingest.Port > 0 ? ingest.Port : ingest.Scheme == "rtmps" ? 443 : 1935;
        return ingest.IdnHost.Equals(url.IdnHost, StringComparison.OrdinalIgnoreCase) && ingestPort == port;
    }

    private HashSet<int> OwnPorts()
    {
        HashSet<int> ports = [endpoints.HttpEndPoint.Port, endpoints.RtmpEndPoint.Port];
        if (endpoints.MetricsEndPoint is { } metrics)
        {
            ports.Add(metrics.Port);
        }

        if (webRtc.TcpPort != 0)
        {
            ports.Add(webRtc.TcpPort);
        }

        return ports;
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
}
