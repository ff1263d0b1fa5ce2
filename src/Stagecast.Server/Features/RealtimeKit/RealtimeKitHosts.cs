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

    public RealtimeKitHosts(IOptions<RealtimeKitOptions> options, IOptions<ServerOptions> server)
    {
        Base = options.Value.Base
            ?? (server.Value.PublicUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : "localhost");
        Api = "api." + Base;
        Socket = "socket-edge." + Base;
        _telemetry = [.. TelemetryPrefixes.Select(prefix => prefix + Base)];
    }

    public string Base { get; }

    /// <summary>Where the client's REST calls go: <c>https://api.{base}</c>.</summary>
    public string Api { get; }

    /// <summary>Where the client's socket goes: <c>wss://socket-edge.{base}/ws</c>.</summary>
    public string Socket { get; }

    public bool IsTelemetry(HostString host) => _telemetry.Any(name => Is(host, name));

    public static bool Is(HostString host, string name) => string.Equals(host.Host, name, StringComparison.OrdinalIgnoreCase);
}
