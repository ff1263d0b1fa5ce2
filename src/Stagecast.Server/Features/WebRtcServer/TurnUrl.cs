using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Stagecast.Server.Features.WebRtcServer;

/// <summary>
/// A TURN server's URI (RFC 7065): <c>turn:HOST[:PORT][?transport=udp|tcp]</c> or <c>turns:HOST[:PORT][?transport=tcp]</c>,
/// HOST a name, an IPv4 address or a bracketed IPv6 one. (System.Uri reads <c>turn:host:3478</c> as a path.)
/// </summary>
public sealed record TurnUrl(string Scheme, string Host, int? Port, string? Transport)
{
    public override string ToString() =>
        $"{Scheme}:{Host}{(Port is { } port ? $":{port.ToString(CultureInfo.InvariantCulture)}" : "")}{(Transport is { } t ? $"?transport={t}" : "")}";

    /// <summary>The STUN URI of the same server (coturn answers STUN on its TURN port), or null for a TLS or TCP one.</summary>
    public string? Stun => Scheme == "turn" && Transport is null or "udp"
        ? $"stun:{Host}{(Port is { } port ? $":{port.ToString(CultureInfo.InvariantCulture)}" : "")}"
        : null;

    public static bool TryParse(string text, [NotNullWhen(true)] out TurnUrl? url)
    {
        url = null;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string scheme = colon > 0 ? text[..colon] : "";
        if (scheme is not ("turn" or "turns"))
        {
            return false;
        }

        string rest = text[(colon + 1)..];
        string? transport = null;
        int query = rest.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            transport = rest[(query + 1)..] switch
            {
                "transport=udp" when scheme == "turn" => "udp",
                "transport=tcp" => "tcp",
                _ => null,
            };
            if (transport is null)
            {
                return false;
            }

            rest = rest[..query];
        }

        int portColon = rest.StartsWith('[') ? rest.IndexOf("]:", StringComparison.Ordinal) + 1 : rest.LastIndexOf(':');
        string host = portColon > 0 ? rest[..portColon] : rest;
        int? port = null;
        if (portColon > 0)
        {
            if (!int.TryParse(rest[(portColon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > 65535)
            {
                return false;
            }

            port = number;
        }

        bool validHost = host.StartsWith('[')
            ? host.EndsWith(']') && System.Net.IPAddress.TryParse(host[1..^1], out _)
            : Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4;
        url = validHost ? new TurnUrl(scheme, host, port, transport) : null;
        return url is not null;
    }
}
