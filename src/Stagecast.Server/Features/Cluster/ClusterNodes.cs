using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Cluster;

/// <summary>
/// <c>GET /cluster/nodes</c>: the nodes with their load and the streams each owns. The operator sees every stream on
/// the metrics listener (<c>--metrics-bind</c>, loopback by default), where the path answers without a token, as
/// <c>/metrics</c> does; an API token sees only its own account's livestreams on each node (Livestreams maps that one).
/// One node alone lists itself.
/// </summary>
public static class ClusterNodes
{
    public const string Path = "/cluster/nodes";

    /// <summary>The operator's view, on the metrics listener: every stream on every node.</summary>
    public static async Task ListForOperatorAsync(HttpContext context)
    {
        var nodes = await ListAsync(context.RequestServices, context.RequestAborted).ConfigureAwait(false);
        await context.Response.WriteAsJsonAsync(new ApiResponse<IReadOnlyList<ClusterNodeInfo>>(true, nodes),
            ClusterJsonContext.Default.ApiResponseIReadOnlyListClusterNodeInfo, cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The nodes alive now, each with every stream it owns.</summary>
    public static async Task<IReadOnlyList<ClusterNodeInfo>> ListAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetService<RedisCluster>() is { } cluster
            ? await cluster.ListNodesAsync(cancellationToken).ConfigureAwait(false)
            : [SingleNode(services)];

    private static ClusterNodeInfo SingleNode(IServiceProvider services) =>
        new(services.GetRequiredService<NodeIdentity>().Id, services.GetRequiredService<PublicUrls>().HttpBase,
            [.. services.GetRequiredService<Streaming.StreamHub>().Streams.Select(s => s.Id)], 0, Environment.WorkingSet / (1024 * 1024),
            System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime(), Self: true);
}
