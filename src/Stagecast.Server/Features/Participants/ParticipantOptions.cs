using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Participants;

public sealed class ParticipantOptions
{
    /// <summary>How long a participant token is valid (the <c>exp</c> claim).</summary>
    [Duration]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);
}
