using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Realtime;

/// <summary>What every socket of the channel works with.</summary>
public sealed class RealtimeServices(
    IOptions<RealtimeOptions> options,
    TimeProvider time,
    MeetingRooms rooms,
    IParticipantStore participants,
    IPresetStore presets,
    RealtimeLivestreams livestreams,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    ILogger<RealtimeClient> logger)
{
    /// <summary>What requests are read with: the REST API's strict options.</summary>
    public System.Text.Json.JsonSerializerOptions RequestOptions { get; } = json.Value.SerializerOptions;

    public RealtimeLivestreams Livestreams { get; } = livestreams;

    public ILogger Logger { get; } = logger;

    public RealtimeOptions Options { get; } = options.Value;

    public TimeProvider Time { get; } = time;

    public MeetingRooms Rooms { get; } = rooms;

    public IParticipantStore Participants { get; } = participants;

    public IPresetStore Presets { get; } = presets;
}
