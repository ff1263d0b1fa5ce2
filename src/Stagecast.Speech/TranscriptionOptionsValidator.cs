using Microsoft.Extensions.Options;

namespace Stagecast.Speech;

/// <summary>Checks TranscriptionOptions's DataAnnotations with code generated at compile time (the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class TranscriptionOptionsValidator : IValidateOptions<TranscriptionOptions>;
