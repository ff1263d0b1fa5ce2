namespace Stagecast.Server.Hosting;

/// <summary>What kind of refusal a <see cref="DomainException"/> is; each face (HTTP, the realtime channel) maps it to its own code.</summary>
public enum DomainError
{
    BadRequest = 400,
    Unauthorized = 401,
    Forbidden = 403,
    NotFound = 404,
    Conflict = 409,
    TooLarge = 413,
    TooMany = 429,
    Unavailable = 503,
    InsufficientStorage = 507,
}

/// <summary>
/// A domain rule refused an operation (a preset that does not allow it, a session that is not in progress, a limit):
/// thrown by services that both the REST API and the realtime channel call. The API answers with the error envelope
/// and the HTTP status of the same number; the channel with an error message of that code.
/// </summary>
public class DomainException(DomainError error, string message) : Exception(message)
{
    public DomainError Error { get; } = error;

    public int Code => (int)Error;
}
