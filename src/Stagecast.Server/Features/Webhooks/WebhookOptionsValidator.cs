using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>Checks WebhookOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class WebhookOptionsValidator : IValidateOptions<WebhookOptions>;
