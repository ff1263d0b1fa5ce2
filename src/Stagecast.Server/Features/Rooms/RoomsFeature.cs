using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Rooms.Api;
using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Rooms;

public static class RoomsFeature
{
    /// <summary>
    /// Meeting rooms: who is in each meeting now, its session, chat, polls, waiting room, livestream and speaker, with
    /// no protocol of its own; front ends (the JSON channel, the REST API's active session) act on them.
    /// </summary>
    public static IServiceCollection AddRooms(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RoomOptions>().Bind(configuration.GetSection(RoomOptions.Section)).ValidateWith<RoomOptions, RoomOptionsValidator>().ValidateOnStart();
        services.AddSingleton<MeetingRooms>();
        services.AddSingleton<IMeetingObserver>(sp => sp.GetRequiredService<MeetingRooms>());
        services.AddSingleton<IParticipantObserver>(sp => sp.GetRequiredService<MeetingRooms>());
        services.AddSingleton<IMeetingLivestreamListener>(sp => sp.GetRequiredService<MeetingRooms>());
        services.AddHostedService<ViewerCountMonitor>();
        services.AddSingleton<RoomsShutdown>();
        services.AddHostedService(sp => sp.GetRequiredService<RoomsShutdown>());
        services.AddSingleton<IShutdownReport>(sp => sp.GetRequiredService<RoomsShutdown>());
        services.AddSingleton<MeetingSessionFlushService>();
        services.AddHostedService(sp => sp.GetRequiredService<MeetingSessionFlushService>());
        return services;
    }

    /// <summary>The live side of meeting sessions on REST: kick, kick-all, polls (RealtimeKit's /active-session).</summary>
    public static RouteGroupBuilder MapActiveSessions(this RouteGroupBuilder api)
    {
        api.MapActiveSession();
        return api;
    }
}
