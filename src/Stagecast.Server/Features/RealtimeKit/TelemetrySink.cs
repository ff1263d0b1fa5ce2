namespace Stagecast.Server.Features.RealtimeKit;

/// <summary>
/// RealtimeKit's client reports to telemetry hosts under its <c>baseURI</c> (<c>location.</c>, <c>location-legacy.</c>,
/// <c>da-collector.</c>, <c>api-silos.</c>): whatever it sends there is answered 204 and dropped, unread and unlogged
/// (the posts carry the participant's token in their query), with CORS for the app's page.
/// </summary>
public static class TelemetrySink
{
    public static WebApplication UseRealtimeKitTelemetrySink(this WebApplication app)
    {
        var hosts = app.Services.GetRequiredService<RealtimeKitHosts>();
        app.Use((context, next) =>
        {
            if (!hosts.IsTelemetry(context.Request.Host))
            {
                return next(context);
            }

            var headers = context.Response.Headers;
            headers.AccessControlAllowOrigin = "*";
            if (HttpMethods.IsOptions(context.Request.Method))
            {
                headers.AccessControlAllowMethods = context.Request.Headers.AccessControlRequestMethod;
                headers.AccessControlAllowHeaders = context.Request.Headers.AccessControlRequestHeaders;
                headers.AccessControlMaxAge = "86400";
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
        return app;
    }
}
