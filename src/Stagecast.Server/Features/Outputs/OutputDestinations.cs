using Microsoft.Extensions.Options;
using Stagecast.Restream;
using Stagecast.Rtmp.Client;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Outputs;

/// <summary>Settings of restream destinations (configuration section <c>Stagecast:Restream</c>).</summary>
public sealed class OutputDestinationOptions
{
    /// <summary>
    /// Let outputs and room streams reach loopback, link-local and private addresses (<c>--restream-allow-private</c>).
    /// Off by default: an API user could otherwise make the server connect into its own network. The server's own
    /// listeners are refused whatever this says.
    /// </summary>
    public bool AllowPrivate { get; set; }
}

/// <summary>
/// The destination policy for RTMP pushes (outputs; later, room streams): checked when a destination is saved and
/// again at every connect.
/// </summary>
public sealed class OutputDestinations(DestinationPolicy policy, IOptions<OutputDestinationOptions> options) : IRestreamDialPolicy
{
    /// <summary>Null when the URL may be saved; otherwise the 400's message.</summary>
    public Task<string?> CheckAsync(Uri url, CancellationToken cancellationToken) =>
        policy.CheckAsync(url, RtmpPublishClient.PortOf(url), options.Value.AllowPrivate, "--restream-allow-private", cancellationToken);

    public Task<System.Net.IPAddress[]> AddressesAsync(string host, int port, CancellationToken cancellationToken) =>
        policy.AllowedAddressesAsync(host, port, options.Value.AllowPrivate, cancellationToken);
}
