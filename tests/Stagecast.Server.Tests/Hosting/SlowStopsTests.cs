using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Server.Hosting;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hosting;

/// <summary>A stop step over a second is logged by name; quick ones, and the steps' own lifecycle calls, pass through.</summary>
[Trait("Category", "InProcess")]
public sealed class SlowStopsTests
{
    [Fact]
    public async Task AHostedServiceSlowToStopIsNamedWithItsTimeAndAQuickOneIsNot()
    {
        var clock = new FakeTimeProvider();
        var logs = new CapturedLogs();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddSingleton<TimeProvider>(clock);
        var slow = new SlowToStop(clock);
        builder.Services.AddHostedService(_ => slow);
        builder.Services.AddHostedService<QuickToStop>();
        SlowStops.TimeHostedServices(builder.Services);
        using var host = builder.Build();
        await host.StartAsync();
        Assert.True(slow.Started);

        await host.StopAsync();

        var line = Assert.Single(logs.Lines, l => l.Message.StartsWith("Stopping:", StringComparison.Ordinal));
        Assert.Equal("Stopping: SlowToStop took 2.5 s", line.Message);
    }

    [Fact]
    public async Task TheHttpServersStopIsTimedThoughItsHostedServiceIsAddedAtBuild()
    {
        var clock = new FakeTimeProvider();
        var logs = new CapturedLogs();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton<IServer>(new SlowToStopServer(clock));
        SlowStops.TimeHostedServices(builder.Services);
        await using var app = builder.Build();
        await app.StartAsync();

        await app.StopAsync();

        Assert.Contains("Stopping: Kestrel (open requests) took 2.5 s", logs.Lines.Select(l => l.Message));
    }

    /// <summary>A server whose stop (Kestrel's wait for open requests) lasts 2.5 s on the fake clock.</summary>
    private sealed class SlowToStopServer(FakeTimeProvider clock) : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            clock.Advance(TimeSpan.FromSeconds(2.5));
            return Task.CompletedTask;
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Its stop lasts 2.5 s on the fake clock.</summary>
    private sealed class SlowToStop(FakeTimeProvider clock) : IHostedLifecycleService
    {
        public bool Started { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            clock.Advance(TimeSpan.FromSeconds(2.5));
            return Task.CompletedTask;
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken)
        {
            Started = true;
            return Task.CompletedTask;
        }

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class QuickToStop : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
