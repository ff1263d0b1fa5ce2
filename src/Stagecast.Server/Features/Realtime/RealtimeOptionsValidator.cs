using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.Realtime;

/// <summary>Checks RealtimeOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class RealtimeOptionsValidator : IValidateOptions<RealtimeOptions>;
