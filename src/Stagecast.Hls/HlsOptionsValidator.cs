using Microsoft.Extensions.Options;

namespace Stagecast.Hls;

/// <summary>Checks HlsOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class HlsOptionsValidator : IValidateOptions<HlsOptions>;
