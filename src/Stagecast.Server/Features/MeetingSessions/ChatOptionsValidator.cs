using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>Checks ChatOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class ChatOptionsValidator : IValidateOptions<ChatOptions>;
