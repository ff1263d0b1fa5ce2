namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// A refusal only the channel knows: RTKLivestream's error codes (1900-1902), or one after which the socket closes
/// (<see cref="CloseWith"/>). Domain refusals are <see cref="Hosting.DomainException"/>s.
/// </summary>
public sealed class RealtimeException(int code, string message, System.Net.WebSockets.WebSocketCloseStatus? closeWith = null) : Exception(message)
{
    public int Code { get; } = code;

    /// <summary>When set, the socket closes with this status after the error is sent.</summary>
    public System.Net.WebSockets.WebSocketCloseStatus? CloseWith { get; } = closeWith;
}
