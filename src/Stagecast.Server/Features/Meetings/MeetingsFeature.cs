namespace Stagecast.Server.Features.Meetings;

public static class MeetingsFeature
{
    public static IServiceCollection AddMeetings(this IServiceCollection services)
    {
        services.AddSingleton<IMeetingStore, SqliteMeetingStore>();
        services.AddSingleton<MeetingService>();
        return services;
    }
}
