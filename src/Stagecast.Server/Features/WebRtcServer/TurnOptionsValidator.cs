using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.WebRtcServer;

/// <summary>Checks TurnOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class TurnOptionsValidator : IValidateOptions<TurnOptions>;
