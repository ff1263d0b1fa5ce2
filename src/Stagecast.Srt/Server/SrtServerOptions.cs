using System.ComponentModel.DataAnnotations;
using Stagecast.Streaming.Limits;

namespace Stagecast.Srt.Server;

public sealed class SrtServerOptions : IValidatableObject
{
    /// <summary>False turns SRT off (<c>--set Stagecast:Srt:Enabled=false</c>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The UDP port callers reach (<c>--srt-port</c>); 0 takes an ephemeral one, as every port flag does.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8890;

    /// <summary>The address the port binds to; the server sets it from <c>--bind</c>.</summary>
    public string Bind { get; set; } = "0.0.0.0";

    /// <summary>The application in stream ids: <c>r=live/KEY</c>. The server uses the RTMP application's name.</summary>
    [Required]
    public string App { get; set; } = "live";

    /// <summary>
    /// When set (10 to 79 characters), every caller must encrypt with this passphrase (AES, SRT's own key exchange);
    /// a caller without it, or with another, is refused in the handshake.
    /// </summary>
    public string? Passphrase { get; set; }

    /// <summary>The receive latency the server asks for; SRT uses the larger of both sides' (SRT's default is 120 ms).</summary>
    [Duration("00:00:00")]
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(120);

    /// <summary>A publisher must deliver its first video or audio frame within this long of connecting.</summary>
    [Duration]
    public TimeSpan FirstMediaDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A publisher that sends nothing for this long is closed (its stream waits for it to reconnect).</summary>
    [Duration]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>SRT connections at once, and from one client address.</summary>
    [Range(1, 100_000)]
    public int MaxConnections { get; set; } = 1000;

    [Range(1, 100_000)]
    public int MaxConnectionsPerAddress { get; set; } = 50;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Passphrase is { } passphrase && (passphrase.Length is < 10 or > 79))
        {
            yield return new ValidationResult("Stagecast:Srt:Passphrase must have 10 to 79 characters (SRT's limits)", [nameof(Passphrase)]);
        }

        if (!System.Net.IPAddress.TryParse(Bind, out _))
        {
            yield return new ValidationResult($"the SRT bind address '{Bind}' is not an IP address", [nameof(Bind)]);
        }
    }
}
