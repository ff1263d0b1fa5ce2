using Microsoft.Extensions.Options;

namespace Stagecast.Rtmp.Sessions;

/// <summary>Checks RtmpServerOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class RtmpServerOptionsValidator : IValidateOptions<RtmpServerOptions>;
