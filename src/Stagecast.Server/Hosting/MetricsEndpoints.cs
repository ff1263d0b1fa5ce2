using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting.Metrics;

namespace Stagecast.Server.Hosting;

/// <summary>GET /metrics in Prometheus text format, and the count of HTTP requests by route and status.</summary>
public static class MetricsEndpoints
{
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services)
    {
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<PrometheusExporter>();
        return services;
    }

    /// <summary>Counts every request by its route template (bounded: never the raw path) and status code.</summary>
    public static IApplicationBuilder UseHttpMetrics(this WebApplication app)
    {
        // Listening starts now, before any media flows, so the delay histograms miss nothing.
        _ = app.Services.GetRequiredService<PrometheusExporter>();
        var requests = app.Services.GetRequiredService<ServerMetrics>().HttpRequests;
        return app.Use(async (context, next) =>
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                string route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
                requests.Add(1, new KeyValuePair<string, object?>("route", route), new KeyValuePair<string, object?>("status", context.Response.StatusCode));
            }
        });
    }

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", async (PrometheusExporter exporter, ServerMetrics metrics, IWebhookStore webhooks, CancellationToken cancel) =>
        {
            metrics.SetPendingWebhooks(await webhooks.CountPendingAsync(cancel).ConfigureAwait(false));
            return Results.Text(exporter.Scrape(), "text/plain; version=0.0.4");
        }).ExcludeFromDescription();
        return endpoints;
    }
}
