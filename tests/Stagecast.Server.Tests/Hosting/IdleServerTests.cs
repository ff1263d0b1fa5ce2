using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hosting;

/// <summary>
/// An idle server (no streams, meetings, viewers or pending webhook deliveries) arms nothing on its clock that is due
/// within the hour: periodic work sleeps until there is something to do (docs/decisions.md, "Nothing runs while nothing
/// happens").
/// </summary>
[Trait("Category", "InProcess")]
public sealed class IdleServerTests
{
    [Fact]
    public async Task AnIdleServerArmsNoTimerDueWithinTheHour()
    {
        var clock = new TimerLedgerClock();
        var purges = new StrongBox<int>();
        await using var own = (await ServerFixture.StartAsync([], builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Services.AddSingleton(services => PurgeCounting.Wrap(ActivatorUtilities.CreateInstance<SqlWebhookStore>(services), purges));
        })).AsAsyncDisposable(out _);

        // The webhook dispatcher's first scan ends with a purge; then it sleeps, and so does everything else.
        await Eventually.MatchAsync(
            () => (Purges: Volatile.Read(ref purges.Value), Armed: clock.ArmedDueIn()),
            seen => seen.Purges > 0 && seen.Armed.All(due => due >= TimeSpan.FromHours(1)),
            "the idle server to arm nothing due within the hour",
            describe: seen => $"{seen.Purges} purges; timers due in {string.Join(", ", seen.Armed)}");
    }

    /// <summary>The real webhook store, counting the purges that finished.</summary>
    public class PurgeCounting : DispatchProxy
    {
        private IWebhookStore _store = null!;
        private StrongBox<int> _purges = null!;

        public static IWebhookStore Wrap(IWebhookStore store, StrongBox<int> purges)
        {
            var proxy = Create<IWebhookStore, PurgeCounting>();
            var self = (PurgeCounting)(object)proxy;
            self._store = store;
            self._purges = purges;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            object? result = method!.Invoke(_store, args);
            return method.Name == nameof(IWebhookStore.PurgeAsync) ? CountedAsync((Task)result!) : result;
        }

        private async Task CountedAsync(Task purge)
        {
            await purge;
            Interlocked.Increment(ref _purges.Value);
        }
    }
}
