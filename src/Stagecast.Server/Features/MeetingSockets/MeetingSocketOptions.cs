using System.ComponentModel.DataAnnotations;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.MeetingSockets;

/// <summary>
/// Settings of the meeting sockets, the JSON channel's and RealtimeKit's (configuration section
/// <c>Stagecast:Realtime</c>, which also holds the rooms' own: <see cref="Rooms.RoomOptions"/>).
/// </summary>
public sealed class MeetingSocketOptions
{
    /// <summary>How often the server pings each socket (WebSocket ping frames, answered by every browser).</summary>
    [Duration]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A socket that has not answered a ping this long after it was sent is dropped: a dead client goes within 30 s.</summary>
    [Duration]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A socket must start within this time: <c>join</c> on the channel, any request on RealtimeKit's socket (its client's init).</summary>
    [Duration]
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest message of the JSON channel, and of any socket before it joins the room.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// Sockets of one participant that have not joined the room yet (a waiter, a RealtimeKit client on its setup
    /// screen): one more is refused (429) until one joins or closes.
    /// </summary>
    [Range(1, 1000)]
    public int MaxUnjoinedSocketsPerParticipant { get; set; } = 4;

    /// <summary>Messages a socket may send per second (bursts of twice that); beyond it, requests are refused.</summary>
    [Range(1, int.MaxValue)]
    public int MessagesPerSecond { get; set; } = 20;

    /// <summary>Messages queued for a socket; a client that falls this far behind is disconnected.</summary>
    [Range(16, int.MaxValue)]
    public int SendQueueLength { get; set; } = 512;
}
