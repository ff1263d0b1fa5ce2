using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.Recordings;

/// <summary>Checks RecordingsOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class RecordingsOptionsValidator : IValidateOptions<RecordingsOptions>;
