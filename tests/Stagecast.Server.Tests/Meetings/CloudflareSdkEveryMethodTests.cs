using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Transcription;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// Every method of <c>client.realtimeKit</c> in Cloudflare's pinned SDK (npm cloudflare 7.3.0), the list read from the
/// SDK itself, called against Stagecast with real ids in the order an app would: each must succeed. A method the SDK
/// gains fails the test until it is called here. What each answers is checked in depth by the area's own tests
/// (<see cref="CloudflareSdkTests"/>, the webhook, recording and transcript tests); here, that it works at all.
/// </summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class CloudflareSdkEveryMethodTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task EveryRealtimeKitMethodOfThePinnedSdkWorks()
    {
        var tenant = await server.NewTenantAsync();
        await using var client = CloudflareSdk.Start(server.HttpBase, tenant.Token);
        var sdk = new CallsMade(client);
        string account = tenant.AccountId;
        string app = tenant.AppId;
        var ids = new { account_id = account, app_id = app };

        // Apps and presets.
        await sdk.CallAsync("realtimeKit.apps.post", new { account_id = account, name = "another-app" });
        await sdk.CallAsync("realtimeKit.apps.get", new { account_id = account });
        string preset = (await sdk.CallAsync("realtimeKit.presets.create", app, new
        {
            account_id = account, name = "panelist", config = new { view_type = "GROUP_CALL" }, permissions = new { }, ui = new { },
        })).GetProperty("id").GetString()!;
        await sdk.CallAsync("realtimeKit.presets.get", app, new { account_id = account });
        await sdk.CallAsync("realtimeKit.presets.getPresetByID", preset, ids);
        await sdk.CallAsync("realtimeKit.presets.update", preset, new { account_id = account, app_id = app, permissions = new { can_livestream = true } });
        await sdk.CallAsync("realtimeKit.presets.replacePresetByID", preset, new
        {
            account_id = account, app_id = app, name = "panelist", config = new { view_type = "GROUP_CALL" }, permissions = new { }, ui = new { },
        });

        // Webhooks.
        string webhook = (await sdk.CallAsync("realtimeKit.webhooks.createWebhook", app, new
        {
            account_id = account, name = "crm", url = "http://127.0.0.1:9/hook", events = new[] { "meeting.started" },
        })).GetProperty("id").GetString()!;
        await sdk.CallAsync("realtimeKit.webhooks.getWebhooks", app, new { account_id = account });
        await sdk.CallAsync("realtimeKit.webhooks.getWebhookByID", webhook, ids);
        await sdk.CallAsync("realtimeKit.webhooks.editWebhook", webhook, new { account_id = account, app_id = app, enabled = false });
        await sdk.CallAsync("realtimeKit.webhooks.replaceWebhook", webhook, new
        {
            account_id = account, app_id = app, name = "crm", url = "http://127.0.0.1:9/hook", events = new[] { "meeting.ended" },
        });

        // Meetings and their participants.
        string meeting = (await sdk.CallAsync("realtimeKit.meetings.create", app, new { account_id = account, title = "Every method" })).GetProperty("id").GetString()!;
        await sdk.CallAsync("realtimeKit.meetings.get", app, new { account_id = account });
        await sdk.CallAsync("realtimeKit.meetings.getMeetingByID", meeting, ids);
        await sdk.CallAsync("realtimeKit.meetings.updateMeetingByID", meeting, new { account_id = account, app_id = app, session_keep_alive_time_in_secs = 60 });
        await sdk.CallAsync("realtimeKit.meetings.replaceMeetingByID", meeting, new { account_id = account, app_id = app, title = "Every method" });
        var participants = new { account_id = account, app_id = app, meeting_id = meeting };
        var host = await AddAsync(sdk, account, app, meeting, "host", "group_call_host");
        var guest = await AddAsync(sdk, account, app, meeting, "guest", "panelist");
        await sdk.CallAsync("realtimeKit.meetings.getMeetingParticipants", meeting, ids);
        await sdk.CallAsync("realtimeKit.meetings.getMeetingParticipant", guest.Id, participants);
        await sdk.CallAsync("realtimeKit.meetings.editParticipant", guest.Id, new { account_id = account, app_id = app, meeting_id = meeting, name = "Guest" });
        guest = guest with
        {
            Token = (await sdk.CallAsync("realtimeKit.meetings.refreshParticipantToken", guest.Id, participants)).GetProperty("token").GetString()!,
        };

        // A live session: polls, recordings (of tracks before anybody publishes, and of the program), the meeting's livestream.
        var (h, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var (g, _) = await MeetingHelpers.JoinAsync(server.HttpBase, guest);
        await using var _g = g;
        string session = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;
        string hostPeer = joined.GetProperty("peer_id").GetString()!;
        await sdk.CallAsync("realtimeKit.activeSession.getActiveSession", meeting, ids);
        await sdk.CallAsync("realtimeKit.activeSession.createPoll", meeting, new { account_id = account, app_id = app, question = "Ship it?", options = new[] { "yes", "no" } });
        string tracks = (await sdk.CallAsync("realtimeKit.recordings.startTrackRecording", app, new { account_id = account, meeting_id = meeting }))
            .GetProperty("id").GetString()!;
        await sdk.CallAsync("realtimeKit.recordings.pauseResumeStopRecording", tracks, new { account_id = account, app_id = app, action = "stop" });
        string recording = (await sdk.CallAsync("realtimeKit.recordings.startRecordings", app, new { account_id = account, meeting_id = meeting }))
            .GetProperty("id").GetString()!;
        await sdk.CallAsync("realtimeKit.recordings.getActiveRecordings", meeting, ids);
        await sdk.CallAsync("realtimeKit.recordings.getOneRecording", recording, ids);
        await sdk.CallAsync("realtimeKit.recordings.getRecordings", app, new { account_id = account, meeting_id = meeting });
        await sdk.CallAsync("realtimeKit.recordings.pauseResumeStopRecording", recording, new { account_id = account, app_id = app, action = "stop" });
        await sdk.CallAsync("realtimeKit.livestreams.startLivestreamingAMeeting", meeting, new { account_id = account, app_id = app, name = "meeting-live", manual_ingest = true });
        await sdk.CallAsync("realtimeKit.livestreams.getMeetingActiveLivestreams", meeting, ids);
        await sdk.CallAsync("realtimeKit.livestreams.stopLivestreamingAMeeting", meeting, ids);
        await sdk.CallAsync("realtimeKit.sessions.getParticipantDataFromPeerID", hostPeer, ids);

        // The session's transcript, as the speech engine keeps it; then everyone is sent away and the session ends.
        await server.App.Services.GetRequiredService<SqlTranscriptStore>().AddAsync(session, meeting,
            new TranscriptLine(Guid.NewGuid().ToString(), hostPeer, host.Id, "host", "host", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(2),
                "the studio budget moves to the second quarter"), shown: true, default);
        await sdk.CallAsync("realtimeKit.activeSession.kickParticipants", meeting, new { account_id = account, app_id = app, custom_participant_ids = new[] { "guest" } });
        await sdk.CallAsync("realtimeKit.activeSession.kickAllParticipants", meeting, ids);
        await Eventually.TrueAsync(async () => (await tenant.GetAsync($"/sessions/{session}")).Data.GetProperty("status").GetString() == "ENDED", "the session to end");

        // Sessions after the fact.
        await sdk.CallAsync("realtimeKit.sessions.getSessions", app, new { account_id = account, associated_id = meeting });
        await sdk.CallAsync("realtimeKit.sessions.getSessionDetails", session, ids);
        await sdk.CallAsync("realtimeKit.sessions.getSessionParticipants", session, ids);
        await sdk.CallAsync("realtimeKit.sessions.getSessionParticipantDetails", guest.Id, new { account_id = account, app_id = app, session_id = session });
        await sdk.CallAsync("realtimeKit.sessions.getSessionChat", session, ids);
        await Eventually.TrueAsync(async () => (await tenant.GetAsync($"/sessions/{session}/transcript")).Status == System.Net.HttpStatusCode.OK, "the transcript to be complete");
        await sdk.CallAsync("realtimeKit.sessions.getSessionTranscripts", session, ids);
        await sdk.CallAsync("realtimeKit.sessions.generateSummaryOfTranscripts", session, ids);
        await sdk.CallAsync("realtimeKit.sessions.getSessionSummary", session, ids);

        // An independent livestream, live from ffmpeg, and the analytics.
        var livestream = await tenant.CreateLivestreamAsync();
        await using (Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60, "320x180")))
        {
            await tenant.WaitForStatusAsync(livestream.Id, "LIVE");
            await sdk.CallAsync("realtimeKit.livestreams.getActiveLivestreamsForLivestreamID", livestream.Id, ids);
            string livestreamSession = (await sdk.CallAsync("realtimeKit.livestreams.getLivestreamSessionForLivestreamID", livestream.Id, ids))
                .GetProperty("session").GetProperty("id").GetString()!;
            await sdk.CallAsync("realtimeKit.livestreams.getLivestreamSessionDetailsForSessionID", livestreamSession, ids);
        }

        string today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var days = new { account_id = account, start_date = today, end_date = today };
        await sdk.CallAsync("realtimeKit.livestreams.getAllLivestreams", app, new { account_id = account });
        await sdk.CallAsync("realtimeKit.livestreams.getLivestreamAnalyticsComplete", app, days);
        await sdk.CallAsync("realtimeKit.livestreams.getLivestreamAnalyticsDaywise", app, days);
        await sdk.CallAsync("realtimeKit.livestreams.getOrgAnalytics", app, days);
        await sdk.CallAsync("realtimeKit.analytics.getOrgAnalytics", app, days);

        // What is left goes.
        await sdk.CallAsync("realtimeKit.meetings.deleteMeetingParticipant", guest.Id, participants);
        await sdk.CallAsync("realtimeKit.webhooks.deleteWebhook", webhook, ids);
        await sdk.CallAsync("realtimeKit.meetings.deleteMeetingParticipant", host.Id, participants);
        await sdk.CallAsync("realtimeKit.presets.delete", preset, ids);

        var methods = await client.MethodsAsync();
        Assert.True(methods.Count >= 55, $"the SDK lists {methods.Count} methods: {string.Join(", ", methods)}");
        Assert.Empty(methods.Except(sdk.Called));
    }

    private static async Task<CreatedParticipant> AddAsync(CallsMade sdk, string account, string app, string meeting, string customId, string preset)
    {
        var data = await sdk.CallAsync("realtimeKit.meetings.addParticipant", meeting, new
        {
            account_id = account, app_id = app, custom_participant_id = customId, preset_name = preset, name = customId,
        });
        return new CreatedParticipant(data.GetProperty("id").GetString()!, customId, data.GetProperty("token").GetString()!);
    }

    /// <summary>The SDK, with the methods called so far; each call must succeed and answer <c>success</c> with its data.</summary>
    private sealed class CallsMade(CloudflareSdk sdk)
    {
        public HashSet<string> Called { get; } = [];

        public async Task<JsonElement> CallAsync(string method, params object[] args)
        {
            var answer = await sdk.CallAsync(method, args);
            Called.Add(method);
            // The SDK unwraps some answers to their data; the others carry the envelope.
            return answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("success", out var success)
                ? success.GetBoolean() ? answer.GetProperty("data") : throw new InvalidOperationException($"{method}: {answer}")
                : answer;
        }
    }
}
