using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Stagecast.Server.Hosting.Tls;

/// <summary>What a TLS front (Caddy, a load balancer) and plain HTTP beside HTTPS need of the pipeline.</summary>
public static class ProxyAndRedirect
{
    /// <summary>
    /// X-Forwarded-For, -Proto and -Host are taken for the client's address, scheme and host only from the
    /// <c>--trusted-proxy</c> addresses (ASP.NET's default, loopback, is not trusted: a proxy is named, never assumed).
    /// Every per-address limit then counts the real client, and a request that came over HTTPS to the proxy is one.
    /// </summary>
    public static WebApplication UseTrustedProxies(this WebApplication app, ServerOptions server)
    {
        var proxies = server.GetTrustedProxies();
        if (proxies.Count == 0)
        {
            return app;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            ForwardLimit = 1,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            options.KnownIPNetworks.Add(proxy);
        }

        app.UseForwardedHeaders(options);
        return app;
    }

    /// <summary>
    /// With <c>--https-redirect</c>, a request over plain HTTP is answered 308 with the same path on the HTTPS port
    /// (308 keeps the method and body: a WHIP POST follows it). Health checks stay on HTTP for probes.
    /// </summary>
    public static WebApplication UseHttpsRedirect(this WebApplication app)
    {
        var https = app.Services.GetRequiredService<IOptions<HttpsOptions>>().Value;
        if (!https.RedirectHttp)
        {
            return app;
        }

        var endpoints = app.Services.GetRequiredService<ListeningEndpoints>();
        app.Use((context, next) =>
        {
            if (context.Request.IsHttps || context.Request.Path.StartsWithSegments("/healthz"))
            {
                return next(context);
            }

            int port = endpoints.HttpsEndPoint!.Port;
            string host = context.Request.Host.Host;
            string authority = port == 443 ? host : $"{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}";
            context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
            context.Response.Headers.Location = $"https://{authority}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
            return Task.CompletedTask;
        });
        return app;
    }
}
