using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Metrics;

namespace Stagecast.Server.Hosting;

/// <summary>
/// <c>/metrics</c> in Prometheus text format, served only on the metrics listener (<c>--metrics-bind</c>, loopback by
/// default): its series are labelled with the id of every live stream, and that id is all a viewer needs, so the
/// public port never answers it. The operator's other pages (<see cref="OperatorEndpoint"/>) are served there too.
/// Also counts HTTP requests by route and status.
/// </summary>
public static class MetricsEndpoints
{
    public const string Path = "/metrics";

    /// <summary>The exporter, and the host's own instruments; features add theirs as <see cref="IFeatureMetrics"/>.</summary>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddFeatureMetrics<HostMetrics>();
        services.AddSingleton<PrometheusExporter>();
        return services;
    }

    /// <summary>Registers a feature's instruments.</summary>
    public static IServiceCollection AddFeatureMetrics<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this IServiceCollection services)
        where T : class, IFeatureMetrics
    {
        services.AddSingleton<T>();
        services.AddSingleton<IFeatureMetrics>(sp => sp.GetRequiredService<T>());
        return services;
    }

    /// <summary>Connection middleware of the metrics listener: marks its connections.</summary>
    public static ConnectionDelegate MarkConnections(ConnectionDelegate next) => connection =>
    {
        connection.Features.Set(MetricsConnection.Instance);
        return next(connection);
    };

    /// <summary>
    /// Requests that reach the metrics listener are answered here and go no further: <c>/metrics</c>, an operator's
    /// page, or a 404. Put before every other application middleware, so no API, page or stream is ever served on that port.
    /// </summary>
    public static IApplicationBuilder UseMetricsListener(this WebApplication app)
    {
        var pages = app.Services.GetServices<OperatorEndpoint>().ToDictionary(e => e.Path, e => e.Handle, StringComparer.Ordinal);
        string served = string.Join(", ", [Path, .. pages.Keys]);
        return app.Use(async (context, next) =>
        {
            if (context.Features.Get<MetricsConnection>() is null)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            bool get = HttpMethods.IsGet(context.Request.Method);
            if (get && pages.TryGetValue(context.Request.Path.Value ?? "", out var page))
            {
                await page(context).ConfigureAwait(false);
                return;
            }

            if (!get || context.Request.Path != Path)
            {
                await ApiResults.WriteErrorAsync(context, StatusCodes.Status404NotFound, $"this listener serves only GET {served}").ConfigureAwait(false);
                return;
            }

            string text = await context.RequestServices.GetRequiredService<PrometheusExporter>().ScrapeAsync(context.RequestAborted).ConfigureAwait(false);
            context.Response.ContentType = "text/plain; version=0.0.4";
            await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
        });
    }

    /// <summary>Counts every request by its route template (bounded: never the raw path) and status code.</summary>
    public static IApplicationBuilder UseHttpMetrics(this WebApplication app)
    {
        // Listening starts now, before any media flows, so the delay histograms miss nothing.
        _ = app.Services.GetRequiredService<PrometheusExporter>();
        var requests = app.Services.GetRequiredService<HostMetrics>().HttpRequests;
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

    /// <summary>The feature that marks a connection accepted by the metrics listener.</summary>
    private sealed class MetricsConnection
    {
        public static readonly MetricsConnection Instance = new();
    }
}
