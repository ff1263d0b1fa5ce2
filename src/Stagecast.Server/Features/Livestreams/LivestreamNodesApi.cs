using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>
/// <c>GET /cluster/nodes</c> with an API token: the nodes with their load, and on each only the caller's livestreams. A
/// stream's id is all its watch page, playlist and WHEP need, so an account sees no other account's streams.
/// </summary>
public static class LivestreamNodesApi
{
    public static WebApplication MapClusterNodes(this WebApplication app)
    {
        app.MapGet(ClusterNodes.Path, async (HttpContext context, AppService apps, ILivestreamStore livestreams, CancellationToken cancellationToken) =>
                ApiResults.Ok(await OwnStreamsAsync(await ClusterNodes.ListAsync(context.RequestServices, cancellationToken).ConfigureAwait(false),
                    context.AccountId(), apps, livestreams, cancellationToken).ConfigureAwait(false)))
            .RequireAuthorization(ApiTokenAuthenticationHandler.Policy)
            .WithMetadata(ApiEndpointMetadata.Instance)
            .WithSummary("The nodes of the cluster with their load, and the caller's livestreams on each");
        return app;
    }

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
}
