using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>A livestream's status and its latest session change together, however far behind the database is.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class LivestreamStatusTests
{
    [Fact]
    public async Task WhileASessionsEndIsNotYetWrittenTheApiShowsStatusAndStoppedSessionTogether()
    {
        // The database falls behind (heavy load): the write of a session's end waits until the test lets it go.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var own = (await ServerFixture.StartAsync([], builder => builder.Services.AddSingleton<ILivestreamSessionStore>(
            sp => HeldEnds.Wrap(ActivatorUtilities.CreateInstance<SqlLivestreamSessionStore>(sp), gate.Task)))).AsAsyncDisposable(out var fixture);
        var api = await fixture.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync();
        await using (var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(2, "320x180")))
        {
            await api.WaitForStatusAsync(livestream.Id, "LIVE");
            Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30))); // a clean unpublish
        }

        var details = await api.WaitForStatusAsync(livestream.Id, "IDLE");
        Assert.False(gate.Task.IsCompleted);
        Assert.NotEqual(JsonValueKind.Null, details.GetProperty("session").GetProperty("stopped_time").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, Assert.Single(details.GetProperty("sessions").EnumerateArray()).GetProperty("stopped_time").ValueKind);

        gate.SetResult();
        await fixture.SessionsWrittenAsync();
        var written = await api.GetLivestreamAsync(livestream.Id);
        Assert.Equal("IDLE", written.GetProperty("livestream").GetProperty("status").GetString());
        Assert.Equal(details.GetProperty("session").GetProperty("stopped_time").GetString(), written.GetProperty("session").GetProperty("stopped_time").GetString());
    }

    /// <summary>The real store, with EndSessionAsync held until a gate opens.</summary>
    public class HeldEnds : DispatchProxy
    {
        private ILivestreamSessionStore _inner = null!;
        private Task _gate = Task.CompletedTask;

        public static ILivestreamSessionStore Wrap(ILivestreamSessionStore inner, Task gate)
        {
            var proxy = Create<ILivestreamSessionStore, HeldEnds>();
            var held = (HeldEnds)(object)proxy;
            held._inner = inner;
            held._gate = gate;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(ILivestreamSessionStore.EndSessionAsync))
            {
                return HoldAsync(targetMethod, args);
            }

            return targetMethod.Invoke(_inner, args);
        }

        private async Task<bool> HoldAsync(MethodInfo method, object?[]? args)
        {
            await _gate;
            return await (Task<bool>)method.Invoke(_inner, args)!;
        }
    }
}
