using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Stagecast.Server.Hosting;

/// <summary>Operator settings: flags, STAGECAST_* variables or the "Stagecast" configuration section.</summary>
public sealed class ServerOptions : IValidatableObject
{
    public const string Section = "Stagecast";

    [Range(0, 65535)]
    public int HttpPort { get; set; } = 8080;

    [Range(0, 65535)]
    public int RtmpPort { get; set; } = 1935;

    /// <summary>Address both listeners bind to.</summary>
    public string Bind { get; set; } = "0.0.0.0";

    [Required]
    public string DataDir { get; set; } = "./data";

    /// <summary>The HTTP URL viewers and API clients reach the server at, e.g. https://live.example.com.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The RTMP URL encoders reach the server at, e.g. rtmp://live.example.com (the "/live" app is appended).</summary>
    public string? RtmpUrl { get; set; }

    public IPAddress BindAddress => IPAddress.Parse(Bind);

    public string DatabasePath => Path.Combine(DataDir, "stagecast.db");

    private static bool IsAbsolute(string url, params string[] schemes) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(Bind, out _))
        {
            yield return new ValidationResult($"--bind '{Bind}' is not an IP address", [nameof(Bind)]);
        }

        if (PublicUrl is not null && !IsAbsolute(PublicUrl, "http", "https"))
        {
            yield return new ValidationResult($"--public-url '{PublicUrl}' must be an absolute http(s) URL", [nameof(PublicUrl)]);
        }

        if (RtmpUrl is not null && !IsAbsolute(RtmpUrl, "rtmp", "rtmps"))
        {
            yield return new ValidationResult($"--rtmp-url '{RtmpUrl}' must be an absolute rtmp(s) URL", [nameof(RtmpUrl)]);
        }
    }
}
