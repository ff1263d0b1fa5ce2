using System.ComponentModel.DataAnnotations;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Realtime;

/// <summary>Settings of the realtime channel (configuration section <c>Stagecast:Realtime</c>).</summary>
public sealed class RealtimeOptions
{
    /// <summary>How often the server pings each socket (WebSocket ping frames, answered by every browser).</summary>
    [Duration]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A socket that has not answered a ping this long after it was sent is dropped: a dead client goes within 30 s.</summary>
    [Duration]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a dropped peer stays in the meeting, so a client that reconnects keeps its peer id.</summary>
    [Duration("00:00:00")]
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A socket must send <c>join</c> within this time.</summary>
    [Duration]
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [Range(1024, 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 16 * 1024;

    /// <summary>Messages a socket may send per second (bursts of twice that); beyond it, requests are refused.</summary>
    [Range(1, int.MaxValue)]
    public int MessagesPerSecond { get; set; } = 20;

    /// <summary>Messages queued for a socket; a client that falls this far behind is disconnected.</summary>
    [Range(16, int.MaxValue)]
    public int SendQueueLength { get; set; } = 512;

    /// <summary>Sockets (tabs, devices) one participant may have in a meeting at once.</summary>
    [Range(1, int.MaxValue)]
    public int MaxPeersPerParticipant { get; set; } = 10;

    /// <summary>Chat messages a joining peer receives (of this session, or of the meeting when it persists chat).</summary>
    [Range(0, 10_000)]
    public int ChatHistory { get; set; } = 100;

    /// <summary>
    /// Polls a meeting session may have; past it, creating one is refused (413) until the next session. Every join
    /// answer carries all of the session's polls, so this bounds it (a poll is at most about 12 KB).
    /// </summary>
    [Range(1, 10_000)]
    public int MaxPollsPerSession { get; set; } = 100;
}
