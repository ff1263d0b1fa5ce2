using System.Text.Json;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Webhooks;

/// <summary>Webhook deliveries to real HTTP receivers that verify every signature with the published key.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class WebhookDeliveryTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly string[] MeetingEvents =
        ["meeting.started", "meeting.ended", "meeting.participantJoined", "meeting.participantLeft", "meeting.chatSynced"];

    [Fact]
    public async Task MeetingEventsArriveSignedInOrderWithTheirPayloads()
    {
        await using var receiver = await WebhookReceiver.StartAsync(server.HttpBase);
        var api = await server.NewTenantAsync();
        string webhookId = await AddWebhookAsync(api, receiver.Url, MeetingEvents);
        string meeting = await api.CreateMeetingAsync("""{"title":"Webhooked"}""");
        var alice = await api.AddParticipantAsync(meeting, "alice");
        var bob = await api.AddParticipantAsync(meeting, "bob");
        var (a, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, alice);
        await using var _a = a;
        var (b, _) = await MeetingHelpers.JoinAsync(server.HttpBase, bob);
        await b.OkAsync("chat_send", new { text = "hello hooks" });
        await b.OkAsync("leave");
        await b.DisposeAsync();
        await api.PostAsync($"/meetings/{meeting}/active-session/kick-all");
        string sessionId = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;

        var received = await receiver.WaitForAsync(r => r.Count >= 7);
        Assert.Equal(
            ["meeting.started", "meeting.participantJoined", "meeting.participantJoined", "meeting.participantLeft", "meeting.participantLeft", "meeting.ended", "meeting.chatSynced"],
            received.Select(r => r.Event));
        Assert.All(received, r =>
        {
            Assert.True(r.SignatureValid, "rtk-signature verifies with the key at /.well-known/webhooks.json");
            Assert.Equal(webhookId, r.WebhookId);
            Assert.Equal(r.Json.GetProperty("eventId").GetString(), r.Uuid);
            Assert.Equal(meeting, r.Json.GetProperty("meeting").GetProperty("id").GetString());
            Assert.Equal(sessionId, r.Json.GetProperty("meeting").GetProperty("sessionId").GetString());
        });
        Assert.Equal(7, received.Select(r => r.Uuid).Distinct().Count());

        var started = received[0].Json.GetProperty("meeting");
        Assert.Equal(("Webhooked", "LIVE"), (started.GetProperty("title").GetString(), started.GetProperty("status").GetString()));
        Assert.Equal(["alice", "bob"], received.Where(r => r.Event == "meeting.participantJoined")
            .Select(r => r.Json.GetProperty("participant").GetProperty("customParticipantId").GetString()));
        var bobLeft = received[3].Json.GetProperty("participant");
        Assert.Equal("bob", bobLeft.GetProperty("customParticipantId").GetString());
        Assert.True(bobLeft.GetProperty("duration").GetDouble() >= 0);
        Assert.True(bobLeft.GetProperty("leftAt").GetDateTimeOffset() >= bobLeft.GetProperty("joinedAt").GetDateTimeOffset());
        var ended = received[5].Json;
        Assert.Equal("all participants were kicked", ended.GetProperty("reason").GetString());
        Assert.Equal("ENDED", ended.GetProperty("meeting").GetProperty("status").GetString());
        string csv = await server.Http.GetStringAsync(received[6].Json.GetProperty("chatDownloadUrl").GetString());
        Assert.Contains("hello hooks", csv);

        // The receiver has the last event before the server has its answer recorded: wait for the record.
        var deliveries = await api.WaitForAsync($"/webhooks/{webhookId}/deliveries",
            r => r.Body.TryGetProperty("data", out var data) && data.EnumerateArray().All(d => d.GetProperty("status").GetString() == "delivered"));
        Assert.Equal(7, deliveries.Body.GetProperty("paging").GetProperty("total_count").GetInt64());
        Assert.All(deliveries.Data.EnumerateArray(), d => Assert.Equal(("delivered", 1L, 200), (d.GetProperty("status").GetString(),
            d.GetProperty("attempts").GetInt64(), d.GetProperty("last_response_code").GetInt32())));
        Assert.Matches(@"stagecast_webhook_deliveries_total\{outcome=""delivered""\} [1-9]", await server.MetricsAsync());
    }

    [Fact]
    public async Task LivestreamStatusUpdatesForIndependentAndMeetingLivestreams()
    {
        await using var receiver = await WebhookReceiver.StartAsync(server.HttpBase);
        var api = await server.NewTenantAsync();
        await AddWebhookAsync(api, receiver.Url, ["livestreaming.statusUpdate"]);
        var livestream = await api.CreateLivestreamAsync("hooked");
        await using (var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(3, "320x180")))
        {
            Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        var updates = await receiver.WaitForAsync(r => r.Count >= 2);
        Assert.Equal(["LIVE", "OFFLINE"], updates.Select(u => u.Json.GetProperty("status").GetString()));
        var live = updates[0].Json;
        Assert.Equal((livestream.Id, false, livestream.PlaybackUrl, livestream.IngestServer), (live.GetProperty("streamId").GetString(),
            live.GetProperty("manualIngest").GetBoolean(), live.GetProperty("playbackUrl").GetString(), live.GetProperty("ingestServer").GetString()));
        Assert.False(live.TryGetProperty("streamKey", out _));
        Assert.False(live.TryGetProperty("meeting", out _));

        // A meeting livestream stopped before any media: IDLE, with the key (manual ingest) and its meeting.
        string meeting = await api.CreateMeetingAsync();
        var started = (await api.PostAsync($"/meetings/{meeting}/livestreams", """{"manual_ingest":true}""")).EnsureOk().Data;
        await api.PostAsync($"/meetings/{meeting}/active-livestream/stop");
        var idle = (await receiver.WaitForAsync(r => r.Count >= 3))[2].Json;
        Assert.Equal(("IDLE", started.GetProperty("id").GetString(), meeting), (idle.GetProperty("status").GetString(), idle.GetProperty("streamId").GetString(),
            idle.GetProperty("meeting").GetProperty("id").GetString()));
        Assert.Equal(started.GetProperty("stream_key").GetString(), idle.GetProperty("streamKey").GetString());
        Assert.All(receiver.Received, r => Assert.True(r.SignatureValid));
    }

    [Fact]
    public async Task AReceiverThatIsDownGetsEveryEventInOrderOnceItIsBack()
    {
        await using var receiver = await WebhookReceiver.StartAsync(server.HttpBase);
        await receiver.StopAsync();
        var api = await server.NewTenantAsync();
        string webhookId = await AddWebhookAsync(api, receiver.Url, MeetingEvents);
        string meeting = await api.CreateMeetingAsync();
        var order = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            var (client, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, $"p{i}"));
            await client.OkAsync("leave");
            await client.DisposeAsync();
        }

        // While it is down, the deliveries wait with their errors, the first retried again and again.
        var pending = await api.WaitForAsync($"/webhooks/{webhookId}/deliveries?status=pending&sort_order=ASC",
            r => r.Data.EnumerateArray().Any(d => d.GetProperty("attempts").GetInt64() >= 2));
        var first = pending.Data.EnumerateArray().First(d => d.GetProperty("attempts").GetInt64() >= 2);
        Assert.Equal(JsonValueKind.Null, first.GetProperty("last_response_code").ValueKind);
        Assert.False(string.IsNullOrEmpty(first.GetProperty("last_error").GetString()));
        Assert.NotEqual(JsonValueKind.Null, first.GetProperty("next_attempt_at").ValueKind);
        Assert.Empty(receiver.Received);

        await receiver.StartAsync();
        var received = await receiver.WaitForAsync(r => r.Count >= 9, TimeSpan.FromSeconds(30));
        string[] expected = ["meeting.started", .. Enumerable.Range(0, 4).SelectMany(_ => new[] { "meeting.participantJoined", "meeting.participantLeft" })];
        Assert.Equal(expected, received.Take(9).Select(r => r.Event));
        Assert.Equal(["p0", "p0", "p1", "p1", "p2", "p2", "p3", "p3"], received.Skip(1).Take(8)
            .Select(r => r.Json.GetProperty("participant").GetProperty("customParticipantId").GetString()));
        Assert.All(received, r => Assert.True(r.SignatureValid));
    }

    [Fact]
    public async Task ARefusedEventIsNotRetriedButCanBeRetriedByHand()
    {
        await using var receiver = await WebhookReceiver.StartAsync(server.HttpBase);
        int calls = 0;
        receiver.Respond = _ => Interlocked.Increment(ref calls) == 1 ? (400, null) : (200, null);
        var api = await server.NewTenantAsync();
        string webhookId = await AddWebhookAsync(api, receiver.Url, MeetingEvents);
        string meeting = await api.CreateMeetingAsync();
        var (client, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "p"));
        await using var _c = client;

        // The refused meeting.started, then the next event: deliveries of a webhook are ordered, so the next one arriving
        // shows the refused one is not waiting for a retry.
        await receiver.WaitForAsync(r => r.Count >= 2);
        Assert.Equal(2, receiver.Received.Count);
        var deliveries = (await api.GetAsync($"/webhooks/{webhookId}/deliveries")).EnsureOk().Data.EnumerateArray().ToList();
        var failed = deliveries.Single(d => d.GetProperty("event").GetString() == "meeting.started");
        Assert.Equal(("failed", 1L, 400), (failed.GetProperty("status").GetString(), failed.GetProperty("attempts").GetInt64(), failed.GetProperty("last_response_code").GetInt32()));
        Assert.Contains("not retried", failed.GetProperty("last_error").GetString());

        var retried = (await api.PostAsync($"/webhooks/{webhookId}/deliveries/{failed.GetProperty("id").GetString()}/retry")).EnsureOk().Data;
        Assert.Equal("pending", retried.GetProperty("status").GetString());
        var again = await receiver.WaitForAsync(r => r.Count >= 3);
        Assert.Equal(again[0].Uuid, again[2].Uuid); // the same event, the same rtk-uuid: receivers can de-duplicate
        await api.WaitForAsync($"/webhooks/{webhookId}/deliveries?status=delivered", r => r.Body.GetProperty("paging").GetProperty("total_count").GetInt64() == 2);
    }

    [Fact]
    public async Task ServerErrorsAreRetriedAndRetryAfterIsHonoured()
    {
        await using var receiver = await WebhookReceiver.StartAsync(server.HttpBase);
        int calls = 0;
        receiver.Respond = _ => Interlocked.Increment(ref calls) switch
        {
            1 => (503, null),
            2 => (429, "2"),
            _ => (200, null),
        };
        var api = await server.NewTenantAsync();
        await AddWebhookAsync(api, receiver.Url, ["meeting.started"]);
        string meeting = await api.CreateMeetingAsync();
        var (client, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "p"));
        await using var _c = client;

        var received = await receiver.WaitForAsync(r => r.Count >= 3);
        Assert.Single(received.Select(r => r.Uuid).Distinct());
        var waitedAfter429 = received[2].ReceivedAt - received[1].ReceivedAt;
        Assert.True(waitedAfter429 >= TimeSpan.FromSeconds(1.8), $"Retry-After: 2 was honoured ({waitedAfter429.TotalSeconds:0.00} s; backoff alone is 0.2-1 s)");
    }

    [Fact]
    public async Task AHangingReceiverDelaysNeitherAnotherWebhookNorALivestreamGoingLive()
    {
        await using var hanging = await WebhookReceiver.StartAsync(server.HttpBase);
        hanging.Respond = _ => (0, null); // never answers
        await using var healthy = await WebhookReceiver.StartAsync(server.HttpBase);
        var api = await server.NewTenantAsync();
        await AddWebhookAsync(api, hanging.Url, ["livestreaming.statusUpdate", "meeting.started"]);
        await AddWebhookAsync(api, healthy.Url, ["livestreaming.statusUpdate", "meeting.started"]);

        // Occupy the hanging receiver first.
        string meeting = await api.CreateMeetingAsync();
        var (client, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "p"));
        await using var _c = client;
        await hanging.WaitForAsync(r => r.Count >= 1);

        var livestream = await api.CreateLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(20, "320x180"));
        await api.WaitForStatusAsync(livestream.Id, "LIVE");
        await healthy.WaitForAsync(r => r.Any(e => e.Event == "livestreaming.statusUpdate"));
        Assert.All(hanging.Received, r => Assert.Equal("meeting.started", r.Event)); // the hanging one is still on its first event
    }

    /// <summary>
    /// Nothing polls the outbox (an idle server sleeps): enabling a webhook wakes the dispatcher, which sends what waited
    /// for it at once. Here a delivery put back to "due now" while its webhook was off.
    /// </summary>
    [Fact]
    public async Task AWebhookEnabledAgainSendsWhatWaitedForItAtOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync(server.HttpBase);
        int calls = 0;
        receiver.Respond = _ => Interlocked.Increment(ref calls) == 1 ? (503, "3600") : (200, null);
        var api = await server.NewTenantAsync();
        string webhookId = await AddWebhookAsync(api, receiver.Url, ["meeting.started"]);
        string meeting = await api.CreateMeetingAsync();
        var (client, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "p"));
        await using var _c = client;
        var waiting = (await api.WaitForAsync($"/webhooks/{webhookId}/deliveries?status=pending",
            r => r.Data.EnumerateArray().Any(d => d.GetProperty("attempts").GetInt64() == 1))).Data[0]; // an hour to its retry

        (await api.SendAsync(HttpMethod.Patch, $"/webhooks/{webhookId}", """{"enabled":false}""")).EnsureOk();
        (await api.PostAsync($"/webhooks/{webhookId}/deliveries/{waiting.GetProperty("id").GetString()}/retry")).EnsureOk();
        (await api.SendAsync(HttpMethod.Patch, $"/webhooks/{webhookId}", """{"enabled":true}""")).EnsureOk();

        var received = await receiver.WaitForAsync(r => r.Count >= 2);
        Assert.Equal(received[0].Uuid, received[1].Uuid);
    }

    private static async Task<string> AddWebhookAsync(StagecastApiClient api, string url, string[] events) =>
        (await api.PostAsync("/webhooks", JsonSerializer.Serialize(new { name = "test", url, events }))).EnsureOk().Data.GetProperty("id").GetString()!;
}
