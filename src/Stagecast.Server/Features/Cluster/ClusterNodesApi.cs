using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Cluster;

/// <summary>
/// <c>GET /cluster/nodes</c>: the nodes with their load and the streams each owns. A stream's id is all its watch page,
/// playlist and WHEP need, so an API token sees only its own account's livestreams on each node; the operator sees
/// every stream on the metrics listener (<c>--metrics-bind</c>, loopback by default), where the same path answers
/// without a token, as <c>/metrics</c> does. One node alone lists itself.
/// </summary>
public static class ClusterNodesApi
{
    public const string Path = "/cluster/nodes";

    public static WebApplication MapClusterNodes(this WebApplication app)
    {
        app.MapGet(Path, async (HttpContext context, AppService apps, ILivestreamStore livestreams, CancellationToken cancellationToken) =>
                ApiResults.Ok(await OwnStreamsAsync(await ListAsync(context.RequestServices, cancellationToken).ConfigureAwait(false),
                    context.AccountId(), apps, livestreams, cancellationToken).ConfigureAwait(false)))
            .RequireAuthorization(ApiTokenAuthenticationHandler.Policy)
            .WithMetadata(ApiEndpointMetadata.Instance)
            .WithSummary("The nodes of the cluster with their load, and the caller's livestreams on each");
        return app;
    }

    /// <summary>The operator's view, on the metrics listener: every stream on every node.</summary>
    public static async Task ListForOperatorAsync(HttpContext context)
    {
        var nodes = await ListAsync(context.RequestServices, context.RequestAborted).ConfigureAwait(false);
        await context.Response.WriteAsJsonAsync(new ApiResponse<IReadOnlyList<ClusterNodeInfo>>(true, nodes),
            ApiJsonContext.Default.ApiResponseIReadOnlyListClusterNodeInfo, cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<ClusterNodeInfo>> ListAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetService<RedisCluster>() is { } cluster
            ? await cluster.ListNodesAsync(cancellationToken).ConfigureAwait(false)
            : [SingleNode(services)];

    /// <summary>Each node with only the streams that are livestreams of the account's apps.</summary>
    private static async Task<IReadOnlyList<ClusterNodeInfo>> OwnStreamsAsync(
        IReadOnlyList<ClusterNodeInfo> nodes, string accountId, AppService apps, ILivestreamStore livestreams, CancellationToken cancellationToken)
    {
        var appIds = (await apps.ListAsync(accountId, cancellationToken).ConfigureAwait(false)).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var own = new HashSet<string>(StringComparer.Ordinal);
        foreach (string streamId in nodes.SelectMany(n => n.Streams).Distinct(StringComparer.Ordinal))
        {
            if (await livestreams.FindLivestreamAsync(streamId, cancellationToken).ConfigureAwait(false) is { } livestream && appIds.Contains(livestream.AppId))
            {
                own.Add(streamId);
            }
        }

        return [.. nodes.Select(n => n with { Streams = [.. n.Streams.Where(own.Contains)] })];
    }

    private static ClusterNodeInfo SingleNode(IServiceProvider services) =>
        new(services.GetRequiredService<NodeIdentity>().Id, services.GetRequiredService<PublicUrls>().HttpBase,
            [.. services.GetRequiredService<Streaming.StreamHub>().Streams.Select(s => s.Id)], 0, Environment.WorkingSet / (1024 * 1024),
            System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime(), Self: true);
}
