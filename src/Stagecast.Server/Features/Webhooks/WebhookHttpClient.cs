using System.Net.Sockets;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>A destination refused because it resolves to a private, loopback or link-local address.</summary>
public sealed class DestinationRefusedException(string message) : IOException(message);

/// <summary>
/// The HTTP client deliveries go out with. It connects only to addresses <see cref="DestinationPolicy"/> allows,
/// checked at connect time on the addresses actually dialled (a DNS answer that changed since the webhook was saved
/// cannot reach the private network), follows no redirects (a redirect could point anywhere) and ignores any proxy
/// configured in the environment (the check would see the proxy, not the destination).
/// </summary>
public static class WebhookHttpClient
{
    public static HttpClient Create(WebhookOptions options, DestinationPolicy policy)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseCookies = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var host = context.DnsEndPoint.Host;
                var allowed = await policy.AllowedAddressesAsync(host, context.DnsEndPoint.Port, options.AllowPrivate, cancellationToken).ConfigureAwait(false);
                if (allowed.Length == 0)
                {
                    throw new DestinationRefusedException($"{host} resolves only to addresses webhooks may not reach (private, loopback, link-local or this server's own)");
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
