using Microsoft.Extensions.Options;

namespace Stagecast.Compositor;

/// <summary>Checks CompositorOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class CompositorOptionsValidator : IValidateOptions<CompositorOptions>;
