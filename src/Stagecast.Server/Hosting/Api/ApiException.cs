namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// A request the API answers with an error envelope: a status and a message that names the problem. Handlers throw
/// it; <see cref="ApiExceptionHandler"/> writes the envelope.
/// </summary>
public sealed class ApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static ApiException BadRequest(string message) => new(StatusCodes.Status400BadRequest, $"BAD_REQUEST: {message}");

    public static ApiException NotFound(string message) => new(StatusCodes.Status404NotFound, message);

    public static ApiException Conflict(string message) => new(StatusCodes.Status409Conflict, message);
}
