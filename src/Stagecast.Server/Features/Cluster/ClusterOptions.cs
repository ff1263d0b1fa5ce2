using System.ComponentModel.DataAnnotations;

namespace Stagecast.Server.Features.Cluster;

/// <summary>Several nodes (section Stagecast:Cluster): on with <c>--redis-url</c>, which needs <c>--database-url</c>.</summary>
public sealed class ClusterOptions : IValidatableObject
{
    public const string Section = "Stagecast:Cluster";

    /// <summary>
    /// redis://[[user]:password@]host:port, or rediss://… for TLS: leases and the node registry. Without it, one node.
    /// </summary>
    public string? RedisUrl { get; set; }

    /// <summary>A PEM file of the CA that issued Redis's TLS certificate (rediss:// with a private CA) [default: the system's CAs].</summary>
    public string? RedisCaCertificate { get; set; }

    /// <summary>This node's id [default: host name and HTTP port].</summary>
    public string? NodeId { get; set; }

    /// <summary>The HTTP URL other nodes reach this node at [default: http://{bind address or host name}:{HTTP port}].</summary>
    public string? NodeUrl { get; set; }

    /// <summary>How long a stream's lease and a node's heartbeat live without renewal: a dead node's streams move after this.</summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often leases and the heartbeat are renewed (well inside <see cref="LeaseTime"/>).</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(3);

    public bool Enabled => RedisUrl is { Length: > 0 };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && !(Uri.TryCreate(RedisUrl, UriKind.Absolute, out var uri) && uri.Scheme is "redis" or "rediss" && uri.Port > 0))
        {
            // Not echoed: the URL may carry Redis's password.
            yield return new ValidationResult("--redis-url must be redis://[:PASSWORD@]HOST:PORT, or rediss:// for TLS", [nameof(RedisUrl)]);
        }

        if (RedisCaCertificate is { Length: > 0 } ca && !File.Exists(ca))
        {
            yield return new ValidationResult($"Stagecast:Cluster:RedisCaCertificate: no file {ca}", [nameof(RedisCaCertificate)]);
        }

        if (RenewInterval <= TimeSpan.Zero || RenewInterval * 2 >= LeaseTime)
        {
            yield return new ValidationResult("Stagecast:Cluster:RenewInterval must be positive and under half of LeaseTime", [nameof(RenewInterval)]);
        }
    }
}
