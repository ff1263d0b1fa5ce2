using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Sessions;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Hosting;

/// <summary>
/// Before anything listens: the data directory's lock, schema migrations, recovery of what was left open, default
/// presets. Once every listener is bound (and before the server is marked ready): first-start accounts, so that a
/// start that cannot listen creates no token that nobody was shown.
/// </summary>
public sealed class DatabaseStartup(SqliteDatabase database, IServiceProvider services) : IHostedLifecycleService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<SessionRecovery>().RunAsync(cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<MeetingSessionRecovery>().RunAsync(cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<AppService>().EnsureDefaultPresetsAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StartedAsync(CancellationToken cancellationToken) =>
        services.GetRequiredService<Bootstrap>().RunAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
