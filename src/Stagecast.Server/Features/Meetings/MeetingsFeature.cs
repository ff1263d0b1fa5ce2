using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Meetings;

public static class MeetingsFeature
{
    public static IServiceCollection AddMeetings(this IServiceCollection services)
    {
        services.AddApiJson(MeetingsApiJsonContext.Default);
        services.AddSingleton<IMeetingStore, SqlMeetingStore>();
        services.AddSingleton<MeetingService>();
        return services;
    }
}
