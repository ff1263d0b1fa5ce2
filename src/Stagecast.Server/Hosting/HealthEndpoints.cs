namespace Stagecast.Server.Hosting;

public static class HealthEndpoints
{
    /// <summary>
    /// GET /healthz: 200 once HTTP and RTMP both listen and the node reaches its database (and Redis, in a cluster);
    /// 503 before, or when it does not: a load balancer sends nothing to a node that cannot do its work.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", async (ServerReadiness readiness, IServiceProvider services, CancellationToken cancellationToken) =>
            {
                if (!readiness.IsReady)
                {
                    return Results.Text("starting\n", statusCode: StatusCodes.Status503ServiceUnavailable);
                }

                var (database, redis) = await Features.Cluster.ClusterFeature.ReachesAsync(services, cancellationToken).ConfigureAwait(false);
                return database && redis is not false
                    ? Results.Text("ok\n")
                    : Results.Text($"unavailable: database {(database ? "ok" : "unreachable")}, redis {(redis is false ? "unreachable" : "ok")}\n",
                        statusCode: StatusCodes.Status503ServiceUnavailable);
            })
            .ExcludeFromDescription();
        return endpoints;
    }
}
