using Microsoft.Extensions.Options;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;

namespace Stagecast.Server.Features.Realtime;

/// <summary>What every socket of the channel works with.</summary>
public sealed class RealtimeServices(
    IOptions<RealtimeOptions> options,
    TimeProvider time,
    MeetingRooms rooms,
    IMeetingStore meetings,
    IMeetingSessionStore sessions,
    IParticipantStore participants,
    IPresetStore presets,
    RealtimeLivestreams livestreams,
    IEnumerable<IPeerMediaControl> media,
    ILogger<RealtimeClient> logger)
{
    /// <summary>Meeting media's mute control, when meeting media is part of the server.</summary>
    public IPeerMediaControl? Media { get; } = media.FirstOrDefault();

    public RealtimeLivestreams Livestreams { get; } = livestreams;

    public ILogger Logger { get; } = logger;

    public RealtimeOptions Options { get; } = options.Value;

    public TimeProvider Time { get; } = time;

    public MeetingRooms Rooms { get; } = rooms;

    public IMeetingStore Meetings { get; } = meetings;

    public IMeetingSessionStore Sessions { get; } = sessions;

    public IParticipantStore Participants { get; } = participants;

    public IPresetStore Presets { get; } = presets;
}
