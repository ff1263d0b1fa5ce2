using System.Net;
using System.Net.Sockets;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>
/// Where webhooks may go. Unless private destinations are allowed, an address that is loopback, link-local,
/// private (RFC 1918, unique local IPv6), unspecified, multicast or in another reserved range is refused: when a
/// webhook is saved (every address its host resolves to), and again when a delivery connects, since DNS answers
/// can change between the two.
/// </summary>
public static class WebhookDestinations
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            byte first = address.GetAddressBytes()[0];
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (first & 0xFE) == 0xFC); // fc00::/7
        }

        byte[] b = address.GetAddressBytes();
        return !(b[0] == 10 // 10/8
            || b[0] == 0 // 0/8
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) // 100.64/10, carrier-grade NAT
            || (b[0] == 169 && b[1] == 254) // link-local, cloud metadata
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) // 172.16/12
            || (b[0] == 192 && b[1] == 168) // 192.168/16
            || (b[0] == 192 && b[1] == 0 && b[2] == 0) // 192.0.0/24
            || (b[0] == 198 && (b[1] == 18 || b[1] == 19)) // benchmarking
            || b[0] >= 224); // multicast, reserved
    }

    /// <summary>Null when the URL may be used; otherwise why not, for the 400.</summary>
    public static async Task<string?> CheckAsync(Uri url, bool allowPrivate, CancellationToken cancellationToken)
    {
        if (allowPrivate)
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(url.IdnHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(url.IdnHost, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return $"\"url\" host {url.Host} does not resolve";
        }

        return addresses.Length == 0 ? $"\"url\" host {url.Host} does not resolve"
            : addresses.FirstOrDefault(a => !IsPublic(a)) is { } blocked
                ? $"\"url\" resolves to {blocked}, a private, loopback or link-local address; the operator may allow those with --webhooks-allow-private"
                : null;
    }
}
