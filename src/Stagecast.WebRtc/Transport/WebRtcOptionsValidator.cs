using Microsoft.Extensions.Options;

namespace Stagecast.WebRtc.Transport;

/// <summary>Checks WebRtcOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class WebRtcOptionsValidator : IValidateOptions<WebRtcOptions>;
