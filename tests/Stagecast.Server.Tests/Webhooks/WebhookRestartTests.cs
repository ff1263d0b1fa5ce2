using System.Text.Json;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Webhooks;

/// <summary>Webhooks survive the server: deliveries pending at a kill -9 go out after the restart; a restart mid-meeting loses nothing.</summary>
public sealed class WebhookRestartTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["STAGECAST_ACCOUNT_ID"] = "webhook-account",
        ["STAGECAST_APP_ID"] = "webhook-app",
        ["STAGECAST_API_TOKEN"] = "sct_webhook_restart_token_0123456789abcdef",
    };

    private static readonly string[] Arguments =
    [
        "--webhooks-allow-private", "--set", "Stagecast:Webhooks:InitialBackoff=00:00:00.2", "--set", "Stagecast:Webhooks:MaxBackoff=00:00:01",
        "--set", "Stagecast:Sessions:FlushInterval=00:00:01",
    ];

    [Fact]
    public async Task DeliveriesPendingWhenTheServerIsKilledGoOutAfterTheRestart()
    {
        string dataDir;
        string[] eventIds;
        WebhookReceiver receiver;
        await using (var server = await ServerProcess.StartAsync(null, Environment, Arguments))
        {
            dataDir = server.DataDir;
            receiver = await WebhookReceiver.StartAsync(server.HttpBase);
            await receiver.StopAsync(); // the receiver is down: everything stays pending
            var api = ApiOf(server);
            string webhookId = (await api.PostAsync("/webhooks", JsonSerializer.Serialize(new
            {
                name = "crm", url = receiver.Url, events = new[] { "meeting.started", "meeting.participantJoined", "meeting.participantLeft", "meeting.ended" },
            }))).EnsureOk().Data.GetProperty("id").GetString()!;
            string meeting = await api.CreateMeetingAsync();
            for (int i = 0; i < 2; i++)
            {
                var (client, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, $"p{i}"));
                await client.OkAsync("leave");
                await client.DisposeAsync();
            }

            var pending = (await api.GetAsync($"/webhooks/{webhookId}/deliveries?status=pending")).EnsureOk();
            Assert.Equal(5, pending.Body.GetProperty("paging").GetProperty("total_count").GetInt64());
            eventIds = pending.Data.EnumerateArray().Select(d => d.GetProperty("event_id").GetString()!).ToArray();
            await server.Process.DisposeAsync(); // kill -9
        }

        await using var _ = receiver;
        await receiver.StartAsync();
        await using var again = await ServerProcess.StartAsync(dataDir, Environment, Arguments);
        // The five that were pending, then meeting.ended: the session was still in its keep-alive and ends at the restart.
        var received = await receiver.WaitForAsync(r => r.Select(e => e.Uuid).Distinct().Count() >= 6, TimeSpan.FromSeconds(30));
        Assert.All(received, r => Assert.True(r.SignatureValid)); // signed with the key kept in the data directory
        Assert.Subset(received.Select(r => r.Uuid).ToHashSet(), eventIds.ToHashSet());
        Assert.Equal(["meeting.started", "meeting.participantJoined", "meeting.participantLeft", "meeting.participantJoined", "meeting.participantLeft", "meeting.ended"],
            received.DistinctBy(r => r.Uuid).Select(r => r.Event));
        Assert.Equal("the server stopped while this session was live", received.Last(r => r.Event == "meeting.ended").Json.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ADeliveryInFlightWhenTheServerStopsIsFinishedAndNotSentAgainAfterTheRestart()
    {
        string dataDir;
        string webhookId;
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        WebhookReceiver receiver;
        await using (var server = await ServerProcess.StartAsync(null, Environment, Arguments))
        {
            dataDir = server.DataDir;
            receiver = await WebhookReceiver.StartAsync(server.HttpBase);
            receiver.Hold = answer.Task;
            var api = ApiOf(server);
            webhookId = (await api.PostAsync("/webhooks", JsonSerializer.Serialize(new { name = "crm", url = receiver.Url, events = new[] { "meeting.started" } })))
                .EnsureOk().Data.GetProperty("id").GetString()!;
            var (client, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(await api.CreateMeetingAsync(), "p"));
            await using var _ = client;
            await receiver.WaitForAsync(r => r.Count == 1); // the receiver has meeting.started and has not answered

            // The stop begins with the delivery in flight; the receiver answers once the dispatcher waits for it.
            await server.Process.InterruptAsync();
            await Eventually.TrueAsync(() => server.Process.StandardOutput.Contains("waiting up to 5 s for 1 webhook deliveries in flight", StringComparison.Ordinal),
                "the stop to wait for the delivery in flight");
            answer.SetResult();
            Assert.Equal(0, await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        await using var receiving = receiver;
        await using var again = await ServerProcess.StartAsync(dataDir, Environment, Arguments);
        var restarted = ApiOf(again);
        var (next, _) = await MeetingHelpers.JoinAsync(again.HttpBase, await restarted.AddParticipantAsync(await restarted.CreateMeetingAsync(), "q"));
        await using var __ = next;

        // Deliveries of one webhook go in order: had the first stayed pending, it would go again before the second.
        var received = await receiver.WaitForAsync(r => r.Select(e => e.Uuid).Distinct().Count() == 2, TimeSpan.FromSeconds(30));
        Assert.Equal(2, received.Count);

        // The second answer is recorded just after the receiver has it: both show delivered once it is.
        await restarted.WaitForAsync($"/webhooks/{webhookId}/deliveries", r => r.Status == System.Net.HttpStatusCode.OK
            && r.Data.GetArrayLength() == 2 && r.Data.EnumerateArray().All(d => d.GetProperty("status").GetString() == "delivered"));
    }

    [Fact]
    public async Task AWebhookRegisteredWithTheSdkHearsAMeetingWithALivestreamAcrossARestart()
    {
        string dataDir;
        WebhookReceiver receiver;
        string meetingId;
        CreatedParticipant host;
        await using (var server = await ServerProcess.StartAsync(null, Environment, Arguments))
        {
            dataDir = server.DataDir;
            receiver = await WebhookReceiver.StartAsync(server.HttpBase);
            await using var sdk = CloudflareSdk.Start(server.HttpBase, Environment["STAGECAST_API_TOKEN"]);
            string account = Environment["STAGECAST_ACCOUNT_ID"];
            string app = Environment["STAGECAST_APP_ID"];
            await sdk.CallAsync("realtimeKit.webhooks.createWebhook", app, new
            {
                account_id = account, name = "everything", url = receiver.Url,
                events = new[] { "meeting.started", "meeting.ended", "meeting.participantJoined", "meeting.participantLeft", "meeting.chatSynced", "livestreaming.statusUpdate" },
            });
            meetingId = (await sdk.CallAsync("realtimeKit.meetings.create", app, new { account_id = account, title = "Across a restart" }))
                .GetProperty("data").GetProperty("id").GetString()!;
            var added = (await sdk.CallAsync("realtimeKit.meetings.addParticipant", meetingId, new
            {
                account_id = account, app_id = app, custom_participant_id = "host", preset_name = "livestream_host", name = "Host",
            })).GetProperty("data");
            host = new CreatedParticipant(added.GetProperty("id").GetString()!, "host", added.GetProperty("token").GetString()!);

            var (client, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
            await client.OkAsync("chat_send", new { text = "before" });
            var credentials = (await client.OkAsync("livestream_start", new { manual_ingest = true })).GetProperty("livestream").GetProperty("ingestion_credentials");
            await using var publisher = Ffmpeg.Publish(
                $"{credentials.GetProperty("ingestion_server").GetString()}/{credentials.GetProperty("stream_key").GetString()}", Ffmpeg.AudioVideo(60, "320x180"));
            await receiver.WaitForAsync(r => r.Any(e => e.Event == "livestreaming.statusUpdate"), TimeSpan.FromSeconds(20));

            await server.Process.InterruptAsync(); // the restart, mid-meeting and mid-broadcast
            await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(20));
            await client.DisposeAsync();
        }

        await using var receiving = receiver;
        await using var again = await ServerProcess.StartAsync(dataDir, Environment, Arguments);
        var api = ApiOf(again);
        var (back, _) = await MeetingHelpers.JoinAsync(again.HttpBase, host); // the token outlives the restart
        await back.OkAsync("leave");
        await back.DisposeAsync();
        await api.PostAsync($"/meetings/{meetingId}/livestreams", "{}");
        await api.PostAsync($"/meetings/{meetingId}/active-livestream/stop");

        var received = await receiver.WaitForAsync(r => r.Count(e => e.Event == "livestreaming.statusUpdate") >= 3 && r.Count(e => e.Event == "meeting.started") >= 2,
            TimeSpan.FromSeconds(30));
        Assert.All(received, r => Assert.True(r.SignatureValid));
        Assert.Equal(received.Count, received.Select(r => r.Uuid).Distinct().Count());

        // Before the restart: the first session from start to its clean end at the shutdown.
        var sessions = received.Where(r => r.Json.TryGetProperty("meeting", out var m) && m.TryGetProperty("sessionId", out _) && r.Event.StartsWith("meeting.", StringComparison.Ordinal))
            .GroupBy(r => r.Json.GetProperty("meeting").GetProperty("sessionId").GetString()).ToList();
        Assert.Equal(2, sessions.Count);
        Assert.Equal(["meeting.started", "meeting.participantJoined", "meeting.participantLeft", "meeting.ended", "meeting.chatSynced"], sessions[0].Select(r => r.Event));
        Assert.Equal("the server shut down", sessions[0].Single(r => r.Event == "meeting.ended").Json.GetProperty("reason").GetString());
        Assert.Equal(["meeting.started", "meeting.participantJoined", "meeting.participantLeft"], sessions[1].Take(3).Select(r => r.Event));

        // The livestream went live, offline at the shutdown; the second one, stopped before media, idle.
        var statuses = received.Where(r => r.Event == "livestreaming.statusUpdate").Select(r => r.Json.GetProperty("status").GetString()).ToList();
        Assert.Equal(["LIVE", "OFFLINE", "IDLE"], statuses);
        Assert.All(received.Where(r => r.Event == "livestreaming.statusUpdate"), r => Assert.Equal(meetingId, r.Json.GetProperty("meeting").GetProperty("id").GetString()));
    }

    private static StagecastApiClient ApiOf(ServerProcess server) =>
        new(new HttpClient { BaseAddress = new Uri(server.HttpBase) }, Environment["STAGECAST_ACCOUNT_ID"], Environment["STAGECAST_APP_ID"], Environment["STAGECAST_API_TOKEN"]);
}
