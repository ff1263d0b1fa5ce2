using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Sessions;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Hosting;

/// <summary>Before anything listens: schema migrations, recovery of what was left open, first-start accounts, default presets.</summary>
public sealed class DatabaseStartup(SqliteDatabase database, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<SessionRecovery>().RunAsync(cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<MeetingSessionRecovery>().RunAsync(cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<Bootstrap>().RunAsync(cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<AppService>().EnsureDefaultPresetsAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
