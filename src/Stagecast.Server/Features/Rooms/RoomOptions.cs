using System.ComponentModel.DataAnnotations;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// Settings of meeting rooms, whatever front end their peers use. They keep their keys in the section
/// <c>Stagecast:Realtime</c> (<see cref="Section"/>), beside the JSON channel's own, as before the room stood alone.
/// </summary>
public sealed class RoomOptions
{
    public const string Section = "Stagecast:Realtime";

    /// <summary>A peer's budget of <see cref="PluginBytesPerSecond"/> holds this many seconds of it, so a burst of typing or strokes passes whole.</summary>
    public const int PluginByteBurstSeconds = 4;

    /// <summary>How long a dropped peer stays in the meeting, so a client that reconnects keeps its peer id.</summary>
    [Duration("00:00:00")]
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one a host turned away from the waiting room waits before it may ask to join again.</summary>
    [Duration("00:00:00")]
    public TimeSpan WaitlistRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Connections (tabs, devices) one participant may have in a meeting at once.</summary>
    [Range(1, int.MaxValue)]
    public int MaxPeersPerParticipant { get; set; } = 10;

    /// <summary>Chat messages a joining peer receives (of this session, or of the meeting when it persists chat).</summary>
    [Range(0, 10_000)]
    public int ChatHistory { get; set; } = 100;

    /// <summary>
    /// Bytes of chat history one participant is sent a second, over all its sockets together (a burst of four seconds'):
    /// asking for the history again and again (a few bytes each) is refused (429) past it, rather than amplified.
    /// </summary>
    [Range(16 * 1024, int.MaxValue)]
    public int ChatHistoryBytesPerSecond { get; set; } = 256 * 1024;

    /// <summary>
    /// Polls a meeting session may have; past it, creating one is refused (413) until the next session. Every join
    /// answer carries all of the session's polls, so this bounds it (a poll is at most about 12 KB).
    /// </summary>
    [Range(1, 10_000)]
    public int MaxPollsPerSession { get; set; } = 100;

    /// <summary>
    /// App messages (broadcasts) one peer may send a second, in bursts of twice as many; past it one is refused (429).
    /// RealtimeKit's SDK holds itself to 5.
    /// </summary>
    [Range(1, 1000)]
    public int AppMessagesPerSecond { get; set; } = 5;

    /// <summary>
    /// Writes to plugin stores (keys set or deleted) and plugin events one peer may make a second, in bursts of twice as many; past it one
    /// is refused (429). A whiteboard sends a stroke as it ends and a notes pad a pause in typing: 20 leaves room for both.
    /// </summary>
    [Range(1, 1000)]
    public int PluginWritesPerSecond { get; set; } = 20;

    /// <summary>
    /// Bytes one peer's plugin store writes and plugin events may have the server send a second, counted as they reach
    /// the peers (each key's name and value and <see cref="PluginLimits.KeyOverheadBytes"/>, times the peers it goes
    /// to), in bursts of four seconds' worth; past it one is refused (429), and one larger than a burst (413). 1 MiB:
    /// a notes pad of 4 KiB saved five times a second in a meeting of 50, or a whiteboard's 1 KiB strokes, 20 a second,
    /// among 50; a peer sending 88 KB a write to ten others no longer has 17 MB a second sent for it.
    /// </summary>
    [Range(1024, int.MaxValue)]
    public int PluginBytesPerSecond { get; set; } = 1024 * 1024;
}
