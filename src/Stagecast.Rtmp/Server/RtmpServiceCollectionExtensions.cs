using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Rtmp.Sessions;
using Stagecast.Streaming.Limits;

namespace Stagecast.Rtmp.Server;

public static class RtmpServiceCollectionExtensions
{
    public static IServiceCollection AddRtmpServer(this IServiceCollection services, Action<RtmpServerOptions>? configure = null)
    {
        var options = services.AddOptions<RtmpServerOptions>().ValidateWith<RtmpServerOptions, RtmpServerOptionsValidator>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton<RtmpConnectionHandler>();
        services.AddSingleton<RtmpAdmission>();
        services.AddSingleton<RtmpSessionWatchdog>();
        return services;
    }

    /// <summary>Makes a Kestrel endpoint speak RTMP (on any transport; the server listens on the epoll one).</summary>
    public static void UseRtmp(this ListenOptions listen) => listen.UseConnectionHandler<RtmpConnectionHandler>();
}
