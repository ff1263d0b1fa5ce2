using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;

namespace Stagecast.Server.Features.Cluster;

/// <summary>
/// The client behind a request another node of the cluster forwarded here. The forwarding node's YARP sets
/// <c>X-Forwarded-For</c> to the address its client connected from (replacing any the client sent); this node believes
/// the header only on a connection from a live node's address (the hosts of the nodes' URLs in their heartbeats), and
/// then makes that client the request's remote address. So every per-address limit (WebRTC sessions, refused
/// credentials, players told apart by address) counts the client, not the node that forwarded it. From anyone else
/// the header is ignored: a client cannot pick the address it is counted under.
/// </summary>
public sealed partial class ForwardedClients(ILogger<ForwardedClients> logger)
{
    public const string Header = "X-Forwarded-For";

    private readonly HashSet<string> _unresolved = new(StringComparer.OrdinalIgnoreCase); // told once each
    private volatile FrozenSet<IPAddress> _nodes = FrozenSet<IPAddress>.Empty;
    private int _resolving;

    /// <summary>
    /// Learns the live nodes' addresses from their URLs, in the background: a slow name server must not hold up the
    /// heartbeat that calls this. Until the first answer, nothing is believed.
    /// </summary>
    public void Refresh(IReadOnlyList<ClusterNodeInfo> nodes)
    {
        if (Interlocked.Exchange(ref _resolving, 1) == 0)
        {
            _ = ResolveAsync(nodes);
        }
    }

    /// <summary>On a request from a live node: the client it names in <c>X-Forwarded-For</c> (its last entry) becomes the remote address.</summary>
    public void Apply(HttpContext context)
    {
        var connection = context.Connection;
        if (connection.RemoteIpAddress is not { } remote || !_nodes.Contains(Normalize(remote))
            || context.Request.Headers[Header].LastOrDefault() is not { Length: > 0 } forwarded)
        {
            return;
        }

        int comma = forwarded.LastIndexOf(',');
        if (IPAddress.TryParse(forwarded.AsSpan(comma + 1).Trim(), out var client))
        {
            connection.RemoteIpAddress = Normalize(client);
        }
    }

    private async Task ResolveAsync(IReadOnlyList<ClusterNodeInfo> nodes)
    {
        try
        {
            var addresses = new HashSet<IPAddress>();
            foreach (var node in nodes)
            {
                if (!Uri.TryCreate(node.Url, UriKind.Absolute, out var url))
                {
                    continue;
                }

                try
                {
                    addresses.UnionWith(IPAddress.TryParse(url.DnsSafeHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(url.DnsSafeHost).ConfigureAwait(false));
                    _unresolved.Remove(url.DnsSafeHost);
                }
                catch (SocketException ex) when (_unresolved.Add(url.DnsSafeHost))
                {
                    Log.NodeNotResolved(logger, node.Id, url.DnsSafeHost, ex.SocketErrorCode);
                }
                catch (SocketException)
                {
                    // told already; its forwarded requests count as its own until it resolves
                }
            }

            _nodes = addresses.Select(Normalize).ToFrozenSet();
        }
        finally
        {
            Volatile.Write(ref _resolving, 0);
        }
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Node {NodeId}'s host {Host} does not resolve ({Error}); requests it forwards count as its own")]
        public static partial void NodeNotResolved(ILogger logger, string nodeId, string host, SocketError error);
    }
}
