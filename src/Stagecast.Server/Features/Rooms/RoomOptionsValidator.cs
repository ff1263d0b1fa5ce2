using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.Rooms;

/// <summary>Checks RoomOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class RoomOptionsValidator : IValidateOptions<RoomOptions>;
