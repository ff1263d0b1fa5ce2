using System.Net;
using System.Net.Sockets;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>A destination refused because it resolves to a private, loopback or link-local address.</summary>
public sealed class DestinationRefusedException(string message) : IOException(message);

/// <summary>
/// The HTTP client deliveries go out with. It connects only to addresses <see cref="WebhookDestinations"/> allows,
/// checked at connect time on the addresses actually dialled (a DNS answer that changed since the webhook was saved
/// cannot reach the private network), and follows no redirects (a redirect could point anywhere).
/// </summary>
public static class WebhookHttpClient
{
    public static HttpClient Create(WebhookOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseCookies = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var host = context.DnsEndPoint.Host;
                var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
                var allowed = options.AllowPrivate ? addresses : addresses.Where(WebhookDestinations.IsPublic).ToArray();
                if (allowed.Length == 0)
                {
                    throw new DestinationRefusedException($"{host} resolves only to private, loopback or link-local addresses, which webhooks may not reach");
                }

                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
