using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.Participants;

/// <summary>Checks ParticipantOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class ParticipantOptionsValidator : IValidateOptions<ParticipantOptions>;
