namespace Stagecast.Server.Hosting.Database;

/// <summary>For <c>/healthz</c>: whether the database answers.</summary>
public sealed class DatabaseProbe(SqlDatabase database) : IHealthProbe
{
    public string Name => "database";

    public Task<bool> ReachesAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);
}
