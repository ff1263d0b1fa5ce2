using Microsoft.Extensions.Options;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.MeetingSockets;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>What every RealtimeKit socket works with; its limits are the meeting sockets' (<see cref="MeetingSocketOptions"/>).</summary>
public sealed class RealtimeKitServices(
    MeetingSocketService sockets,
    MeetingRooms rooms,
    RealtimeKitPeers peers,
    Recordings.RecordingService recordings,
    RefusalLog refusals,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    RealtimeKitMediaServices media,
    Plugins.IPluginStore plugins,
    ChatFiles chatFiles,
    ConnectedMeetings connectedMeetings,
    ILogger<RealtimeKitClient> logger)
{
    /// <summary>A socket's largest message: the client's offers grow with its m-lines (about 1.3 KB each), beyond the JSON channel's limit.</summary>
    public const int MaxMessageBytes = 128 * 1024;

    /// <summary>How often the server sends <c>"2"</c>; the client drops a socket quiet for 30 s.</summary>
    public TimeSpan PingInterval { get; } = TimeSpan.FromSeconds(10);

    public MeetingSocketService Sockets { get; } = sockets;

    public MeetingSocketOptions Options => Sockets.Options;

    public TimeProvider Time => Sockets.Time;

    public MeetingRooms Rooms { get; } = rooms;

    public RealtimeKitPeers Peers { get; } = peers;

    public Recordings.RecordingService Recordings { get; } = recordings;

    public RefusalLog Refusals { get; } = refusals;

    /// <summary>What requests are checked with: the REST API's options (a poll's limits).</summary>
    public System.Text.Json.JsonSerializerOptions RequestOptions { get; } = json.Value.SerializerOptions;

    public RealtimeKitMediaServices Media { get; } = media;

    /// <summary>The apps' registered plugins, which 1.5.x clients open by id.</summary>
    public Plugins.IPluginStore Plugins { get; } = plugins;

    public ChatFiles ChatFiles { get; } = chatFiles;

    public ConnectedMeetings ConnectedMeetings { get; } = connectedMeetings;

    public ILogger Logger { get; } = logger;
}
