using System.Net.WebSockets;

namespace Stagecast.Server.Features.MeetingSockets;

/// <summary>Close codes of the meeting sockets, both front ends (RFC 6455 reserves 4000-4999 for applications).</summary>
public static class MeetingSocketCloseCodes
{
    /// <summary>The peer reconnected on another socket, which replaces this one.</summary>
    public const WebSocketCloseStatus Replaced = (WebSocketCloseStatus)4000;

    /// <summary>Kicked by a host or the API, or the participant was removed or its token revoked; a message says why.</summary>
    public const WebSocketCloseStatus Kicked = (WebSocketCloseStatus)4001;

    /// <summary>Moved to another meeting of its group (a breakout room, or back): the message before says where, with a token.</summary>
    public const WebSocketCloseStatus Moved = (WebSocketCloseStatus)4002;

    /// <summary>The meeting is inactive, or its session ended.</summary>
    public const WebSocketCloseStatus MeetingEnded = (WebSocketCloseStatus)4003;

    /// <summary>Nothing started within the join timeout: no <c>join</c> on the channel, no request on RealtimeKit's socket.</summary>
    public const WebSocketCloseStatus JoinTimeout = (WebSocketCloseStatus)4008;
}
