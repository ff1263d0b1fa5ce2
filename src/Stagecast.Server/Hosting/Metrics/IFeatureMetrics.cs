namespace Stagecast.Server.Hosting.Metrics;

/// <summary>
/// A feature's instruments, on a meter of its own made by the host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/>
/// (named <c>Stagecast.*</c>): features register one; the exporter resolves them all at start, so every instrument
/// exists before the first scrape.
/// </summary>
public interface IFeatureMetrics
{
    /// <summary>Reads, before a scrape, the figures that come from elsewhere than memory (observers must not block).</summary>
    Task RefreshAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
