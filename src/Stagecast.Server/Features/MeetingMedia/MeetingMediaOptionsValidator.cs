using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>Checks MeetingMediaOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class MeetingMediaOptionsValidator : IValidateOptions<MeetingMediaOptions>;
