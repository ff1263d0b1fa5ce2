using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Rooms.Api;
using Stagecast.Server.Features.Rooms.Nodes;
using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Rooms;

public static class RoomsFeature
{
    /// <summary>
    /// Meeting rooms: who is in each meeting now, its session, chat, polls, waiting room, livestream and speaker, with
    /// no protocol of its own; front ends act on them (the JSON channel, and the REST API's active session in Api/).
    /// </summary>
    public static IServiceCollection AddRooms(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddActiveSessionApi();
        services.AddOptions<RoomOptions>().Bind(configuration.GetSection(RoomOptions.Section)).ValidateWith<RoomOptions, RoomOptionsValidator>().ValidateOnStart();
        services.AddSingleton<MeetingRooms>();
        services.AddSingleton<ConnectedMeetings>();
        if (services.Any(s => s.ServiceType == typeof(IMeetingNodes)))
        {
            services.AddSingleton<GroupNodes>();
            services.AddSingleton<IGroupNodes>(sp => sp.GetRequiredService<GroupNodes>());
            services.AddSingleton<INodeRequestHandler>(sp => sp.GetRequiredService<GroupNodes>());
        }
        services.AddSingleton<IMeetingObserver, RemoteMeetingChanges>();
        services.AddSingleton<ConnectedMeetingTransits>();
        services.AddSingleton<ChatFiles>();
        services.AddCors(ChatFilesApi.AddCorsPolicy);
        services.AddSingleton<IMeetingObserver>(sp => sp.GetRequiredService<MeetingRooms>());
        services.AddSingleton<IParticipantObserver>(sp => sp.GetRequiredService<MeetingRooms>());
        services.AddSingleton<IMeetingLivestreamListener>(sp => sp.GetRequiredService<MeetingRooms>());
        services.AddSingleton<ILocalMeetings>(sp => sp.GetRequiredService<MeetingRooms>());
        services.AddHostedService<ViewerCountMonitor>();
        services.AddSingleton<RoomsShutdown>();
        services.AddHostedService(sp => sp.GetRequiredService<RoomsShutdown>());
        services.AddSingleton<IShutdownReport>(sp => sp.GetRequiredService<RoomsShutdown>());
        services.AddSingleton<MeetingSessionFlushService>();
        services.AddHostedService(sp => sp.GetRequiredService<MeetingSessionFlushService>());
        return services;
    }
}
