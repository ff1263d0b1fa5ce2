namespace Stagecast.Server.Hosting;

public static class HealthEndpoints
{
    /// <summary>GET /healthz: 200 once HTTP and RTMP both listen, 503 before.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", (ServerReadiness readiness) => readiness.IsReady
                ? Results.Text("ok\n")
                : Results.Text("starting\n", statusCode: StatusCodes.Status503ServiceUnavailable))
            .ExcludeFromDescription();
        return endpoints;
    }
}
