using Microsoft.Extensions.Options;

namespace Stagecast.Restream;

/// <summary>Checks RestreamOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class RestreamOptionsValidator : IValidateOptions<RestreamOptions>;
