using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.MeetingSockets;

/// <summary>Checks MeetingSocketOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class MeetingSocketOptionsValidator : IValidateOptions<MeetingSocketOptions>;
