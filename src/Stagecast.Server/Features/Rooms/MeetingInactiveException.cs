using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>Nobody enters an inactive meeting; a front end ends the connection that asked.</summary>
public sealed class MeetingInactiveException() : DomainException(DomainError.Forbidden, "the meeting is inactive");
