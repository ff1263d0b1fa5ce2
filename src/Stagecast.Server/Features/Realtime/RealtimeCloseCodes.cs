using System.Net.WebSockets;

namespace Stagecast.Server.Features.Realtime;

/// <summary>Close codes of the realtime channel (RFC 6455 reserves 4000-4999 for applications).</summary>
public static class RealtimeCloseCodes
{
    /// <summary>The peer reconnected on another socket, which replaces this one.</summary>
    public const WebSocketCloseStatus Replaced = (WebSocketCloseStatus)4000;

    /// <summary>Kicked by a host or the API, or the participant was removed; a <c>kicked</c> message says why.</summary>
    public const WebSocketCloseStatus Kicked = (WebSocketCloseStatus)4001;

    /// <summary>The meeting is inactive, or its session ended.</summary>
    public const WebSocketCloseStatus MeetingEnded = (WebSocketCloseStatus)4003;

    /// <summary>No <c>join</c> within the join timeout.</summary>
    public const WebSocketCloseStatus JoinTimeout = (WebSocketCloseStatus)4008;
}
