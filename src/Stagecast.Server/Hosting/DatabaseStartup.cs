using Stagecast.Server.Accounts;
using Stagecast.Server.Livestreams;
using Stagecast.Server.Persistence;

namespace Stagecast.Server.Hosting;

/// <summary>Before anything listens: schema migrations, first-start accounts, recovery of sessions left open.</summary>
public sealed class DatabaseStartup(IStagecastStore store, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<SessionRecovery>().RunAsync(cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<Bootstrap>().RunAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
