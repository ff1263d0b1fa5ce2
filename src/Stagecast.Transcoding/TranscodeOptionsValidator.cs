using Microsoft.Extensions.Options;

namespace Stagecast.Transcoding;

/// <summary>Checks TranscodeOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class TranscodeOptionsValidator : IValidateOptions<TranscodeOptions>;
