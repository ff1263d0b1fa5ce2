namespace Stagecast.Server.Features.Realtime;

/// <summary>A request on the channel that is refused: answered with <c>{"type":"error","id",…,"code","message"}</c>.</summary>
public sealed class RealtimeException(int code, string message, System.Net.WebSockets.WebSocketCloseStatus? closeWith = null) : Exception(message)
{
    public const int BadRequest = 400;
    public const int Unauthorized = 401;
    public const int Forbidden = 403;
    public const int NotFound = 404;
    public const int Conflict = 409;
    public const int TooLarge = 413;
    public const int TooMany = 429;

    public int Code { get; } = code;

    /// <summary>When set, the socket closes with this status after the error is sent.</summary>
    public System.Net.WebSockets.WebSocketCloseStatus? CloseWith { get; } = closeWith;
}
