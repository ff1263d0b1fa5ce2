using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.MeetingSessions;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// What a room works with. Observers are resolved when a room opens, not with the rooms: some of them (room streams,
/// recordings) use the rooms themselves.
/// </summary>
internal sealed record RoomServices(
    IMeetingSessionStore Store,
    IReadOnlyList<IMeetingSessionObserver> SessionObservers,
    IReadOnlyList<IRoomObserver> Observers,
    IPeerMediaControl? Media,
    MeetingWebhookEvents Events,
    MeetingLivestreamService Livestreams,
    RoomOptions Options,
    ChatOptions Chat,
    TimeProvider Time);
