using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.Thumbnails;

/// <summary>Checks ThumbnailOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class ThumbnailOptionsValidator : IValidateOptions<ThumbnailOptions>;
