using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Stagecast.Server.Hosting;

/// <summary>The bound HTTP, HTTPS, RTMP and metrics endpoints (with the real ports when 0 was asked for), known after start.</summary>
public sealed class ListeningEndpoints
{
    internal ListenOptions? Http { get; set; }

    internal ListenOptions? Https { get; set; }

    internal ListenOptions? Rtmp { get; set; }

    internal ListenOptions? Rtmps { get; set; }

    internal ListenOptions? Metrics { get; set; }

    public IPEndPoint HttpEndPoint => Http?.IPEndPoint ?? throw new InvalidOperationException("HTTP is not listening");

    /// <summary>Where HTTPS is served, or null without a certificate.</summary>
    public IPEndPoint? HttpsEndPoint => Https?.IPEndPoint;

    /// <summary>Where RTMPS is served, or null without a certificate.</summary>
    public IPEndPoint? RtmpsEndPoint => Rtmps?.IPEndPoint;

    public IPEndPoint RtmpEndPoint => Rtmp?.IPEndPoint ?? throw new InvalidOperationException("RTMP is not listening");

    /// <summary>Where /metrics is served, or null when metrics are off.</summary>
    public IPEndPoint? MetricsEndPoint => Metrics?.IPEndPoint;
}
