namespace Stagecast.Server.Features.Realtime;

/// <summary>A request on the channel that is refused: answered with <c>{"type":"error","id",…,"code","message"}</c>.</summary>
public sealed class RealtimeException(int code, string message) : Exception(message)
{
    public const int BadRequest = 400;
    public const int Forbidden = 403;
    public const int NotFound = 404;
    public const int Conflict = 409;
    public const int TooMany = 429;

    public int Code { get; } = code;
}
