using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Stagecast.Transport.Epoll;

public static class EventLoopServiceCollectionExtensions
{
    /// <summary>
    /// Adds the epoll transport to Kestrel. Kestrel tries transports newest first; this one takes only
    /// <see cref="EventLoopEndPoint"/>s (listen on one to use it), every other endpoint stays on Kestrel's sockets.
    /// </summary>
    public static IServiceCollection AddEventLoopTransport(this IServiceCollection services, Action<EventLoopTransportOptions>? configure = null)
    {
        services.AddOptions<EventLoopTransportOptions>().Configure(o => configure?.Invoke(o)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventLoopTransportOptions>, EventLoopTransportOptionsValidator>();
        return services.AddSingleton<IConnectionListenerFactory, EventLoopTransportFactory>();
    }
}
