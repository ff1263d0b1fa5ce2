using System.ComponentModel.DataAnnotations;

namespace Stagecast.Server.Features.RealtimeKit;

/// <summary>
/// Where apps built on RealtimeKit's own SDK find Stagecast (configuration section <c>Stagecast:RealtimeKit</c>): their
/// <c>baseURI</c>, under which the client calls <c>api.</c> and <c>socket-edge.</c> (docs/realtimekit.md).
/// </summary>
public sealed class RealtimeKitOptions
{
    /// <summary>The apps' <c>baseURI</c>, a host name (<c>live.example.com</c>); null: the public URL's host, or <c>localhost</c>.</summary>
    [RegularExpression(@"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$",
        ErrorMessage = "--realtimekit-base must be a host name, such as live.example.com (no scheme, port or path)")]
    public string? Base { get; set; }
}
