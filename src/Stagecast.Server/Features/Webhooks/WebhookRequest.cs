using System.ComponentModel.DataAnnotations;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>The body of POST, PUT and PATCH /webhooks (PATCH: every field optional).</summary>
public sealed record WebhookRequest : IValidatableObject
{
    public const int MaxUrlLength = 2048;

    [StringLength(256, MinimumLength = 1)]
    public string? Name { get; init; }

    [StringLength(MaxUrlLength)]
    public string? Url { get; init; }

    [ItemCount(0, 16)]
    public string[]? Events { get; init; }

    public bool? Enabled { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Url is not null)
        {
            if (!HttpUrls.TryParse(Url, out var uri))
            {
                yield return new ValidationResult("\"url\" must be an absolute http:// or https:// URL");
            }
            else if (HttpUrls.HasCredentials(uri))
            {
                // HttpClient never sends them: the receiver would get unauthenticated requests while the API shows credentials.
                yield return new ValidationResult("\"url\" must not carry credentials (user:password@); check the rtk-signature header instead, or put a secret in the path");
            }
        }

        if (Events is not null && Events.Length == 0)
        {
            yield return new ValidationResult("\"events\" must name at least one event");
        }

        if (Events?.FirstOrDefault(e => !WebhookEventNames.All.Contains(e)) is { } unknown)
        {
            yield return new ValidationResult($"\"events\": {unknown} is not one of {string.Join(", ", WebhookEventNames.All)}");
        }
    }
}
