using System.Net;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Rtmp.Client;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>A livestream's status and its sessions tell one story in every answer, however far behind the database is.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class LivestreamStatusTests
{
    private const int GoLives = 100;

    [Fact]
    public async Task PollingThroughAHundredGoLivesAndGoIdlesFindsNoDisagreement()
    {
        // The pollers ask as fast as the server answers: past the API's rate limit of one token.
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Api:RequestsPerSecond=1000000"])).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync();
        await using var webhooks = await WebhookReceiver.StartAsync(server.HttpBase);
        (await api.PostAsync("/webhooks", JsonSerializer.Serialize(new { name = "status", url = webhooks.Url, events = new[] { "livestreaming.statusUpdate" } })))
            .EnsureOk();

        await using (var probe = new LivestreamConsistencyProbe(livestream.Id, api, api))
        {
            for (int i = 0; i < GoLives; i++)
            {
                await using var publisher = await RtmpPublishClient.ConnectAsync(new Uri(livestream.IngestServer), CancellationToken.None);
                await publisher.PublishAsync(livestream.IngestServer, "live", livestream.StreamKey, CancellationToken.None);
                await publisher.SendVideoAsync(0, FlvBodies.AvcSequenceHeader(GoldenVectors.AvcRecord720p), CancellationToken.None);
                await api.WaitForStatusAsync(livestream.Id, "LIVE");
                await publisher.UnpublishAsync(CancellationToken.None);
                await api.WaitForStatusAsync(livestream.Id, "IDLE");
            }

            await server.SessionsWrittenAsync();
            await probe.ReadAgainAsync();
            Assert.True(probe.LiveAnswers > 0 && probe.SessionsSeen == GoLives, $"the probe saw {probe.LiveAnswers} LIVE answers and {probe.SessionsSeen} sessions");
            Assert.Empty(probe.Disagreements);
        }

        // The webhooks tell the same story: a LIVE and an OFFLINE for each session.
        await Eventually.TrueAsync(() => webhooks.Received.Count == 2 * GoLives, "a webhook for each go-live and each go-idle");
        var statuses = webhooks.Received.Select(w => w.Json.GetProperty("status").GetString()).ToList();
        Assert.Equal(GoLives, statuses.Count(s => s == "LIVE"));
        Assert.Equal(GoLives, statuses.Count(s => s == "OFFLINE"));
    }

    [Fact]
    public async Task WhileASessionsEndIsNotYetWrittenTheApiShowsTheLivestreamLiveWithItsSessionOpen()
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

        await Eventually.TrueAsync(() => fixture.App.Services.GetRequiredService<StreamHub>().Find(livestream.Id) is null, "the broadcast to end");
        var held = await api.GetLivestreamAsync(livestream.Id);
        Assert.False(gate.Task.IsCompleted);
        Assert.Equal("LIVE", held.GetProperty("livestream").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, held.GetProperty("session").GetProperty("stopped_time").ValueKind);
        string sessionId = held.GetProperty("session").GetProperty("id").GetString()!;
        Assert.Equal(sessionId, (await api.GetAsync($"/livestreams/{livestream.Id}/active-livestream-session")).EnsureOk().Data.GetProperty("session").GetProperty("id").GetString());

        gate.SetResult();
        var written = await api.WaitForStatusAsync(livestream.Id, "IDLE");
        Assert.Equal(sessionId, written.GetProperty("session").GetProperty("id").GetString());
        Assert.NotEqual(JsonValueKind.Null, written.GetProperty("session").GetProperty("stopped_time").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/livestreams/{livestream.Id}/active-livestream-session")).Status);
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
