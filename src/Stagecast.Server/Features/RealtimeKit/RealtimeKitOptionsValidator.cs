using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.RealtimeKit;

/// <summary>Checks RealtimeKitOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class RealtimeKitOptionsValidator : IValidateOptions<RealtimeKitOptions>;
