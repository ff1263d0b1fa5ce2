using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Webhooks;

/// <summary>
/// A scan of the outbox that began while a delivery was in flight lists that delivery as still pending; it must not
/// start it again once the delivery finished. The store (the real one) is wrapped so the interleaving is certain:
/// every attempt wakes a scan, and a scan that listed a delivery under attempt returns only after the attempt was
/// recorded.
/// </summary>
public sealed class WebhookScanRaceTests
{
    [Fact]
    public async Task ADeliveryListedWhileInFlightIsNotSentTwice()
    {
        StaleListingStore? wrapper = null;
        var server = await ServerFixture.StartAsync([], builder =>
            builder.Services.AddSingleton<IWebhookStore>(services =>
            {
                var store = StaleListingStore.Wrap(ActivatorUtilities.CreateInstance<SqlWebhookStore>(services), services.GetRequiredService<WebhookSignal>());
                wrapper = (StaleListingStore)(object)store;
                return store;
            }));
        await using var _ = server.AsAsyncDisposable();
        await using var receiver = await WebhookReceiver.StartAsync(server.HttpBase);
        var api = await server.NewTenantAsync();
        (await api.PostAsync("/webhooks", JsonSerializer.Serialize(new { name = "race", url = receiver.Url, events = new[] { "meeting.started", "meeting.ended" } }))).EnsureOk();

        string meeting = await api.CreateMeetingAsync();
        var (client, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "p"));
        await client.DisposeAsync();
        await api.PostAsync($"/meetings/{meeting}/active-session/kick-all");

        var received = await receiver.WaitForAsync(r => r.Count >= 2);
        Assert.True(wrapper!.StaleListings > 0, "no scan listed a delivery while it was in flight; the test did not provoke the race");
        // Every attempt has been recorded and signalled; a duplicate would have been started by now.
        await Eventually.TrueAsync(() => wrapper.Recorded >= 2, "both deliveries recorded");
        Assert.Equal(["meeting.started", "meeting.ended"], receiver.Received.Select(r => r.Event));
    }

    /// <summary>The real store, with the interleaving forced around LoadEventAsync, ListHeadsAsync and RecordAttemptAsync.</summary>
    public class StaleListingStore : DispatchProxy
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _inAttempt = new();
        private IWebhookStore _store = null!;
        private WebhookSignal _signal = null!;
        private int _staleListings;
        private int _recorded;

        public int StaleListings => Volatile.Read(ref _staleListings);

        public int Recorded => Volatile.Read(ref _recorded);

        public static IWebhookStore Wrap(IWebhookStore store, WebhookSignal signal)
        {
            var proxy = Create<IWebhookStore, StaleListingStore>();
            var self = (StaleListingStore)(object)proxy;
            self._store = store;
            self._signal = signal;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            object? result = method!.Invoke(_store, args);
            return method.Name switch
            {
                nameof(IWebhookStore.LoadEventAsync) => Attempting((string)args![0]!, (Task<(string, string, byte[])>)result!),
                nameof(IWebhookStore.ListHeadsAsync) => ListedAsync((Task<IReadOnlyList<DeliveryHead>>)result!),
                nameof(IWebhookStore.RecordAttemptAsync) => RecordedAsync((string)args![0]!, (Task)result!),
                _ => result,
            };
        }

        private async Task<(string, string, byte[])> Attempting(string deliveryId, Task<(string, string, byte[])> load)
        {
            _inAttempt[deliveryId] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var loaded = await load;
            _signal.Notify(); // a scan now, while this delivery is in flight
            return loaded;
        }

        private async Task<IReadOnlyList<DeliveryHead>> ListedAsync(Task<IReadOnlyList<DeliveryHead>> listing)
        {
            var heads = await listing;
            foreach (var head in heads)
            {
                if (_inAttempt.TryGetValue(head.Id, out var attempt) && !attempt.Task.IsCompleted)
                {
                    Interlocked.Increment(ref _staleListings);
                    await attempt.Task; // answer with what was read before the attempt was recorded
                }
            }

            return heads;
        }

        private async Task RecordedAsync(string deliveryId, Task record)
        {
            await record;
            Interlocked.Increment(ref _recorded);
            if (_inAttempt.TryGetValue(deliveryId, out var attempt))
            {
                attempt.TrySetResult();
            }
        }
    }
}
