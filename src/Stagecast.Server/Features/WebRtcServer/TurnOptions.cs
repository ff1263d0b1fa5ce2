using System.ComponentModel.DataAnnotations;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.WebRtcServer;

/// <summary>
/// The TURN servers (coturn with <c>use-auth-secret</c>, the TURN REST API) clients are told of: <c>--turn-url</c>
/// (repeatable: <c>turn:HOST:PORT</c>, <c>turn:HOST:PORT?transport=tcp</c>, <c>turns:HOST:443</c>) and
/// <c>--turn-secret</c>, the secret shared with the TURN server that credentials are made with.
/// </summary>
public sealed class TurnOptions : IValidatableObject
{
    public const string Section = "Stagecast:Turn";

    /// <summary>TURN URLs, comma-separated.</summary>
    public string? Urls { get; set; }

    public string? Secret { get; set; }

    /// <summary>How long a credential handed out stays valid (coturn refuses it after, allocations included).</summary>
    [Duration]
    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Whether anonymous WHEP viewers are told of the TURN servers too (else STUN alone: they reach WebRTC's port over
    /// UDP or ICE-TCP, or play LL-HLS). Off by default: anyone who knows a public livestream's id is a viewer. On, they
    /// share one TURN user (<see cref="IceServers.ViewerUser"/>), so together they hold at most coturn's
    /// <c>user-quota</c> of its allocations and the participants' relay stays theirs.
    /// </summary>
    public bool ViewerRelay { get; set; }

    /// <summary>How long a viewer's credential stays valid: a relayed viewer's playback ends within minutes after it, and its player offers again.</summary>
    [Duration]
    public TimeSpan ViewerCredentialLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Viewer credentials one client address is given a minute (bursts of as many); past it, its answers carry STUN alone.</summary>
    [Range(1, 10000)]
    public int ViewerCredentialsPerMinute { get; set; } = 10;

    public IReadOnlyList<TurnUrl> GetUrls() =>
        [.. Split(Urls).Select(u => TurnUrl.TryParse(u, out var url) ? url : throw new InvalidOperationException($"not a TURN URL: {u}"))];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (string url in Split(Urls))
        {
            if (!TurnUrl.TryParse(url, out _))
            {
                yield return new ValidationResult(
                    $"--turn-url '{url}' must be turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT][?transport=tcp]", [nameof(Urls)]);
            }
        }

        if (Urls is { Length: > 0 } && Secret is not { Length: >= 16 })
        {
            yield return new ValidationResult("--turn-url needs --turn-secret, at least 16 characters (coturn's static-auth-secret)", [nameof(Secret)]);
        }
    }

    private static string[] Split(string? urls) => (urls ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
