using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.RealtimeKit;

/// <summary>
/// The host names RealtimeKit's client derives from its <c>baseURI</c>: <c>api.</c> (REST), <c>socket-edge.</c> (the
/// socket) and the telemetry hosts, whose posts are taken and dropped. Names match ignoring case and port, since a
/// <c>baseURI</c> may carry one (<c>stagecast.test:8443</c>).
/// </summary>
public sealed class RealtimeKitHosts
{
    private static readonly string[] TelemetryPrefixes = ["location.", "location-legacy.", "da-collector.", "api-silos."];
    private readonly string[] _telemetry;
    private readonly Uri? _publicUrl;

    public RealtimeKitHosts(IOptions<RealtimeKitOptions> options, IOptions<ServerOptions> server)
    {
        _publicUrl = server.Value.PublicUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null;
        Base = options.Value.Base ?? _publicUrl?.Host ?? "localhost";
        Api = "api." + Base;
        Socket = "socket-edge." + Base;
        _telemetry = [.. TelemetryPrefixes.Select(prefix => prefix + Base)];
    }

    public string Base { get; }

    /// <summary>Where the client's REST calls go: <c>https://api.{base}</c>.</summary>
    public string Api { get; }

    /// <summary>Where the client's socket goes: <c>wss://socket-edge.{base}/ws</c>.</summary>
    public string Socket { get; }

    /// <summary>
    /// The origin of links handed out on <c>api.{base}</c> (chat files'): its configured name, never the request's Host
    /// header, whose port its sender chooses too; the scheme and port of <c>--public-url</c> (what the operator's proxy
    /// serves), else those of the connection the request came in on.
    /// </summary>
    public string ApiOrigin(HttpContext context)
    {
        bool named = Api.Contains(':', StringComparison.Ordinal); // a base with its port
        return _publicUrl is { } url
            ? $"{url.Scheme}://{Api}{(named || url.IsDefaultPort ? "" : $":{url.Port}")}"
            : $"{context.Request.Scheme}://{Api}{(named ? "" : $":{context.Connection.LocalPort}")}";
    }

    public bool IsTelemetry(HostString host) => _telemetry.Any(name => Is(host, name));

    public static bool Is(HostString host, string name) => string.Equals(host.Host, name, StringComparison.OrdinalIgnoreCase);
}
