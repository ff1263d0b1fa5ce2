using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.RoomStreams;

/// <summary>Checks RoomStreamsOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class RoomStreamsOptionsValidator : IValidateOptions<RoomStreamsOptions>;
