using System.ComponentModel.DataAnnotations;
using Stagecast.Streaming.Limits;

namespace Stagecast.WebRtc.Transport;

/// <summary>Settings of the WebRTC media plane (bound from the server's configuration).</summary>
public sealed class WebRtcOptions : IValidatableObject
{
    /// <summary>The one UDP port every WebRTC session uses (and ICE-TCP unless <see cref="TcpPort"/> says otherwise).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8189;

    /// <summary>ICE-TCP port; null means the UDP port's number; 0 turns ICE-TCP off.</summary>
    [Range(0, 65535)]
    public int? TcpPort { get; set; }

    /// <summary>
    /// The IPv4 address the UDP port and ICE-TCP bind to; null binds every address. Bound to one address, the server
    /// announces only that one as its host candidate (the others do not reach it).
    /// </summary>
    public string? Bind { get; set; }

    /// <summary>The address to bind, parsed (<see cref="System.Net.IPAddress.Any"/> when <see cref="Bind"/> is not set).</summary>
    public System.Net.IPAddress GetBindAddress() => Bind is { Length: > 0 } bind ? System.Net.IPAddress.Parse(bind) : System.Net.IPAddress.Any;

    /// <summary>Addresses announced as candidates besides the host's own (a server behind NAT or in a container), comma-separated.</summary>
    public string? PublicIp { get; set; }

    public IEnumerable<string> PublicIps => (PublicIp ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Whether the host's interface addresses are announced (true unless only public addresses should be).</summary>
    public bool HostCandidates { get; set; } = true;

    /// <summary>Whether UDP candidates are announced (false leaves only ICE-TCP: for networks that block UDP, and tests).</summary>
    public bool UdpCandidates { get; set; } = true;

    /// <summary>The bitrate a WHIP publisher is asked to stay under (REMB), in kbit/s.</summary>
    [Range(100, 1_000_000)]
    public int MaxPublishKbps { get; set; } = 6000;

    /// <summary>
    /// Transport-wide congestion control in meetings (<c>--webrtc-congestion-control</c>, on unless set to false):
    /// feedback to publishers, a downlink estimate per RealtimeKit receive transport, video layers shared within it.
    /// </summary>
    public bool CongestionControl { get; set; } = true;

    /// <summary>
    /// How often a WHIP publisher is asked for a keyframe (PLI). Browsers send one only when asked, and LL-HLS segments
    /// start at keyframes, so this is about the segment length.
    /// </summary>
    [Duration]
    public TimeSpan KeyframeInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>ICE and DTLS must both complete within this time of the answer, or the session is dropped.</summary>
    [Duration]
    public TimeSpan ConnectDeadline { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A peer that sends no valid binding request for this long has gone (RFC 7675 consent).</summary>
    [Duration]
    public TimeSpan ConsentTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, int.MaxValue)]
    public int MaxSessions { get; set; } = 1000;

    [Range(1, int.MaxValue)]
    public int MaxSessionsPerAddress { get; set; } = 20;

    /// <summary>Packets per second one session may send before the rest of the second is dropped.</summary>
    [Range(100, int.MaxValue)]
    public int MaxPacketsPerSecond { get; set; } = 5000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Bind is { Length: > 0 } && !(System.Net.IPAddress.TryParse(Bind, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
        {
            yield return new ValidationResult($"--webrtc-bind '{Bind}' must be an IPv4 address (WebRTC media is IPv4)", [nameof(Bind)]);
        }
    }
}
