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

    public IPAddress BindAddress => IPAddress.Parse(Bind);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(Bind, out _))
        {
            yield return new ValidationResult($"--bind '{Bind}' is not an IP address", [nameof(Bind)]);
        }
    }
}
