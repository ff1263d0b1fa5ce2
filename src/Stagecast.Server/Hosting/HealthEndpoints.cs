namespace Stagecast.Server.Hosting;

public static class HealthEndpoints
{
    /// <summary>
    /// GET /healthz: 200 once HTTP and RTMP both listen and the node has what it depends on (its database, room on its
    /// data directory's disk, and Redis in a cluster: each <see cref="IHealthProbe"/>); 503 before, or when it does not:
    /// a load balancer sends nothing to a node that cannot do its work.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", async (ServerReadiness readiness, IEnumerable<IHealthProbe> probes, CancellationToken cancellationToken) =>
            {
                if (!readiness.IsReady)
                {
                    return Results.Text("starting\n", statusCode: StatusCodes.Status503ServiceUnavailable);
                }

                var reached = new List<(IHealthProbe Probe, bool Reaches)>();
                foreach (var probe in probes)
                {
                    reached.Add((probe, await probe.ReachesAsync(cancellationToken).ConfigureAwait(false)));
                }

                return reached.TrueForAll(p => p.Reaches)
                    ? Results.Text("ok\n")
                    : Results.Text($"unavailable: {string.Join(", ", reached.Select(p => $"{p.Probe.Name} {(p.Reaches ? "ok" : p.Probe.Failure)}"))}\n",
                        statusCode: StatusCodes.Status503ServiceUnavailable);
            })
            .ExcludeFromDescription();
        return endpoints;
    }
}
