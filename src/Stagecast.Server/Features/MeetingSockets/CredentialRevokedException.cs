using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.MeetingSockets;

/// <summary>
/// A socket's participant token is no longer good (reissued, the participant removed, its preset gone): the front end
/// answers the request with this and closes the socket (<see cref="MeetingSocketCloseCodes.Kicked"/>).
/// </summary>
public sealed class CredentialRevokedException(string message) : DomainException(DomainError.Unauthorized, message);
