using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Hosting;

/// <summary>
/// Before anything listens: schema migrations (the database is opened through the data directory's lock), then the
/// features' start-up work. Once every listener is bound (and before the server is marked ready): the work that must
/// wait for that, such as the first start's account, so that a start that cannot listen creates no token nobody saw.
/// </summary>
public sealed class DatabaseStartup(SqlDatabase database, IEnumerable<IStartupTask> tasks) : IHostedLifecycleService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        foreach (var task in tasks.Where(t => !t.AfterListening))
        {
            await task.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        foreach (var task in tasks.Where(t => t.AfterListening))
        {
            await task.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
