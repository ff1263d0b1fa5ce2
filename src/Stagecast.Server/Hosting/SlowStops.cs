using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Stagecast.Server.Hosting;

/// <summary>
/// A stop that takes long explains itself: every hosted service is wrapped, once the services are composed, in one
/// that logs a StopAsync taking over <see cref="Threshold"/>, naming the service. Kestrel's hosted service is added
/// only when the app is built, after this; its server, whose stop is the wait for open requests, is timed instead.
/// </summary>
public static partial class SlowStops
{
    public static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);

    public static void TimeHostedServices(IServiceCollection services)
    {
        for (int i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType == typeof(IHostedService) && !descriptor.IsKeyedService)
            {
                services[i] = ServiceDescriptor.Describe(typeof(IHostedService), sp => new Timed(Create<IHostedService>(sp, descriptor),
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Timed>>()), descriptor.Lifetime);
            }
            else if (descriptor.ServiceType == typeof(IServer) && !descriptor.IsKeyedService)
            {
                services[i] = ServiceDescriptor.Describe(typeof(IServer), sp => new TimedServer(Create<IServer>(sp, descriptor),
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Timed>>()), descriptor.Lifetime);
            }
        }
    }

    /// <summary>Logs a stop step that took over the threshold (for steps that are not hosted services).</summary>
    public static void Report(ILogger logger, string step, TimeSpan took)
    {
        if (took > Threshold)
        {
            Log.SlowStop(logger, step, took.TotalSeconds);
        }
    }

    private static T Create<T>(IServiceProvider services, ServiceDescriptor descriptor) => (T)(
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    /// <summary>A hosted service that times its stop; lifecycle steps pass through when the service has them.</summary>
    private sealed class Timed(IHostedService inner, TimeProvider time, ILogger logger) : IHostedLifecycleService
    {
        public Task StartAsync(CancellationToken cancellationToken) => inner.StartAsync(cancellationToken);

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            long started = time.GetTimestamp();
            await inner.StopAsync(cancellationToken).ConfigureAwait(false);
            Report(logger, inner.GetType().Name, time.GetElapsedTime(started));
        }

        public Task StartingAsync(CancellationToken cancellationToken) => (inner as IHostedLifecycleService)?.StartingAsync(cancellationToken) ?? Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => (inner as IHostedLifecycleService)?.StartedAsync(cancellationToken) ?? Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => (inner as IHostedLifecycleService)?.StoppingAsync(cancellationToken) ?? Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => (inner as IHostedLifecycleService)?.StoppedAsync(cancellationToken) ?? Task.CompletedTask;
    }

    /// <summary>The HTTP server, with its stop timed.</summary>
    private sealed class TimedServer(IServer inner, TimeProvider time, ILogger logger) : IServer
    {
        public IFeatureCollection Features => inner.Features;

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => inner.StartAsync(application, cancellationToken);

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            long started = time.GetTimestamp();
            await inner.StopAsync(cancellationToken).ConfigureAwait(false);
            Report(logger, "Kestrel (open requests)", time.GetElapsedTime(started));
        }

        public void Dispose() => inner.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Stopping: {Step} took {Seconds:0.0} s")]
        public static partial void SlowStop(ILogger logger, string step, double seconds);
    }
}
