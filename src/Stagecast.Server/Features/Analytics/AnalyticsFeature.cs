using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Analytics;

public static class AnalyticsFeature
{
    public static IServiceCollection AddAnalytics(this IServiceCollection services) =>
        services.AddApiJson(AnalyticsApiJsonContext.Default).AddSingleton<IAnalyticsStore, SqlAnalyticsStore>();

    public static RouteGroupBuilder MapAnalytics(this RouteGroupBuilder api)
    {
        api.MapLivestreamAnalytics();
        api.MapMeetingAnalytics();
        return api;
    }
}
