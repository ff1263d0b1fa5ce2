using Microsoft.Extensions.Options;
using Stagecast.Server.Features.MeetingSockets;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Realtime;

/// <summary>What every socket of the channel works with.</summary>
public sealed class RealtimeServices(
    MeetingSocketService sockets,
    MeetingRooms rooms,
    ConnectedMeetings connectedMeetings,
    RealtimeLivestreams livestreams,
    Recordings.RecordingService recordings,
    MeetingSessions.ChatFiles chatFiles,
    Plugins.IPluginStore plugins,
    Hosting.PublicUrls publicUrls,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    ILogger<RealtimeClient> logger)
{
    /// <summary>What requests are read with: the REST API's strict options.</summary>
    public System.Text.Json.JsonSerializerOptions RequestOptions { get; } = json.Value.SerializerOptions;

    public RealtimeLivestreams Livestreams { get; } = livestreams;

    public Recordings.RecordingService Recordings { get; } = recordings;

    public ILogger Logger { get; } = logger;

    public MeetingSocketService Sockets { get; } = sockets;

    public MeetingSocketOptions Options => Sockets.Options;

    public TimeProvider Time => Sockets.Time;

    public MeetingRooms Rooms { get; } = rooms;

    public ConnectedMeetings ConnectedMeetings { get; } = connectedMeetings;

    public MeetingSessions.ChatFiles ChatFiles { get; } = chatFiles;

    public Plugins.IPluginStore Plugins { get; } = plugins;

    public Hosting.PublicUrls PublicUrls { get; } = publicUrls;
}
