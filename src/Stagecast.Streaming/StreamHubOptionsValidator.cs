using Microsoft.Extensions.Options;

namespace Stagecast.Streaming;

/// <summary>Checks StreamHubOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class StreamHubOptionsValidator : IValidateOptions<StreamHubOptions>;
