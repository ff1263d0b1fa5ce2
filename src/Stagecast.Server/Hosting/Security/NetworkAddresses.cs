using System.Net;
using System.Net.Sockets;

namespace Stagecast.Server.Hosting.Security;

/// <summary>
/// Which addresses are on the public internet. Loopback, link-local (cloud metadata at 169.254.169.254 included),
/// private (RFC 1918, unique local IPv6), carrier-grade NAT, unspecified, multicast, documentation and other reserved
/// ranges are not. IPv6 addresses that carry an IPv4 address (IPv4-mapped <c>::ffff:0:0/96</c>, IPv4-compatible
/// <c>::/96</c>, NAT64 <c>64:ff9b::/96</c>, 6to4 <c>2002::/16</c>) are judged by that IPv4 address, since a NAT64
/// gateway or 6to4 relay would deliver to it; local-use NAT64 (<c>64:ff9b:1::/48</c>, any embedding) and Teredo
/// (<c>2001::/32</c>, whose embedded address is obscured) are refused outright.
/// </summary>
public static class NetworkAddresses
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return EmbeddedIPv4(address) is { } embedded ? IsPublicIPv4(embedded.GetAddressBytes()) : IsPublicIPv6(address);
        }

        return IsPublicIPv4(address.GetAddressBytes());
    }

    /// <summary>The IPv4 address an IPv6 address carries for delivery (mapped, compatible, NAT64, 6to4), or null.</summary>
    public static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        bool zeroPrefix = b.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0;
        if (zeroPrefix && ((b[10] == 0xFF && b[11] == 0xFF) || (b[10] == 0 && b[11] == 0 && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback))))
        {
            return new IPAddress(b.AsSpan(12, 4)); // ::ffff:a.b.c.d and ::a.b.c.d
        }

        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return new IPAddress(b.AsSpan(12, 4)); // 64:ff9b::a.b.c.d, the well-known NAT64 prefix
        }

        return b[0] == 0x20 && b[1] == 0x02 ? new IPAddress(b.AsSpan(2, 4)) : null; // 2002:AABB:CCDD::, 6to4
    }

    private static bool IsPublicIPv6(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        return !(IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6Any)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (b[0] & 0xFE) == 0xFC // fc00::/7, unique local
            || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) // 64:ff9b:1::/48 and the rest of 64:ff9b::/32
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) // 2001::/32, Teredo
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) // 2001:db8::/32, documentation
            || (b[0] == 0x01 && b[1] == 0x00 && b.AsSpan(2, 6).IndexOfAnyExcept((byte)0) < 0) // 100::/64, discard
            || b[0] == 0x00); // the rest of ::/8, reserved
    }

    private static bool IsPublicIPv4(byte[] b) =>
        !(b[0] == 10 // 10/8
            || b[0] == 0 // 0/8
            || b[0] == 127 // loopback
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) // 100.64/10, carrier-grade NAT
            || (b[0] == 169 && b[1] == 254) // link-local, cloud metadata
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) // 172.16/12
            || (b[0] == 192 && b[1] == 168) // 192.168/16
            || (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2)) // 192.0.0/24, 192.0.2/24 (documentation)
            || (b[0] == 198 && (b[1] == 18 || b[1] == 19)) // benchmarking
            || (b[0] == 198 && b[1] == 51 && b[2] == 100) // documentation
            || (b[0] == 203 && b[1] == 0 && b[2] == 113) // documentation
            || b[0] >= 224); // multicast, reserved, broadcast
}
