using Microsoft.Extensions.Options;

namespace Stagecast.Srt.Server;

/// <summary>Checks SrtServerOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class SrtServerOptionsValidator : IValidateOptions<SrtServerOptions>;
