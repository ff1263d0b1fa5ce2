using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Server.Hosting;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hosting;

/// <summary>
/// The retention sweeps' one loop: a sweep that fails is logged as a warning naming what it deletes and counts as
/// nothing deleted, and the next one runs as if nothing happened; a sweep the settings do not ask for never runs.
/// </summary>
[Trait("Category", "InProcess")]
public sealed class HourlySweepTests
{
    [Fact]
    public async Task AFailedSweepIsLoggedAndTheNextOneRuns()
    {
        using var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var sweep = new FlakySweep(enabled: true, factory.CreateLogger("sweep")) { Failures = 1 };

        Assert.Equal(0, await sweep.SweepAsync(CancellationToken.None));
        var warning = Assert.Single(logs.Lines, l => l.Level == LogLevel.Warning);
        Assert.Equal("Deleting old widgets failed; the next sweep retries", warning.Message);

        Assert.Equal(3, await sweep.SweepAsync(CancellationToken.None));
        Assert.Equal(2, sweep.Runs);
        Assert.Single(logs.Lines, l => l.Level == LogLevel.Warning);
        await Assert.ThrowsAsync<OperationCanceledException>(() => sweep.SweepAsync(new CancellationToken(canceled: true))); // shutting down is not a failure
    }

    [Fact]
    public async Task ASweepTheSettingsDoNotAskForNeverRuns()
    {
        var sweep = new FlakySweep(enabled: false, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Equal(0, await sweep.SweepAsync(CancellationToken.None));
        await sweep.StartAsync(CancellationToken.None);
        await sweep.ExecuteTask!;
        Assert.Equal(0, sweep.Runs);
    }

    private sealed class FlakySweep(bool enabled, ILogger logger) : HourlySweep(new FakeTimeProvider(), logger)
    {
        public int Failures { get; set; }

        public int Runs { get; private set; }

        protected override bool Enabled => enabled;

        protected override string What => "widgets";

        protected override Task<int> DeleteAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Runs++;
            return Failures-- > 0 ? throw new IOException("disk gone") : Task.FromResult(3);
        }
    }
}
