using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// Cloudflare's official TypeScript SDK (npm cloudflare 7.3.0, <c>client.realtimeKit.*</c>), pointed at Stagecast
/// with <c>baseURL</c>, drives apps, presets, meetings, participants, the active session, sessions and meeting
/// livestreams, and gets the shapes it types.
/// </summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class CloudflareSdkTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AppsPresetsMeetingsAndParticipants()
    {
        var tenant = await server.NewTenantAsync();
        await using var sdk = CloudflareSdk.Start(server.HttpBase, tenant.Token);
        string account = tenant.AccountId;

        var app = (await sdk.CallAsync("realtimeKit.apps.post", new { account_id = account, name = "sdk-app" })).GetProperty("data").GetProperty("app");
        string appId = app.GetProperty("id").GetString()!;
        var apps = await sdk.CallAsync("realtimeKit.apps.get", new { account_id = account });
        Assert.Contains(apps.GetProperty("data").EnumerateArray(), a => a.GetProperty("id").GetString() == appId);
        Assert.Equal(2, apps.GetProperty("paging").GetProperty("total_count").GetInt32());

        // Presets, in RealtimeKit's own nested shape.
        var ids = new { account_id = account, app_id = appId };
        var defaults = await sdk.CallAsync("realtimeKit.presets.get", appId, new { account_id = account });
        Assert.Equal(8, defaults.GetProperty("paging").GetProperty("total_count").GetInt32()); // a new app's default presets
        var preset = (await sdk.CallAsync("realtimeKit.presets.create", appId, new
        {
            account_id = account,
            name = "panelist",
            config = new { view_type = "WEBINAR", max_video_streams = new { desktop = 4, mobile = 2 } },
            permissions = new { can_livestream = false, media = new { video = new { can_produce = "NOT_ALLOWED" } }, polls = new { can_create = true, can_vote = true, can_view = true } },
            ui = new { design_tokens = new { theme = "light" } },
        })).GetProperty("data");
        string presetId = preset.GetProperty("id").GetString()!;
        Assert.False(preset.GetProperty("permissions").GetProperty("can_produce_video").GetBoolean());
        var updated = (await sdk.CallAsync("realtimeKit.presets.update", presetId, new { account_id = account, app_id = appId, permissions = new { can_livestream = true } })).GetProperty("data");
        Assert.True(updated.GetProperty("permissions").GetProperty("can_livestream").GetBoolean());
        Assert.Equal("panelist", (await sdk.CallAsync("realtimeKit.presets.getPresetByID", presetId, ids)).GetProperty("data").GetProperty("name").GetString());
        var replaced = (await sdk.CallAsync("realtimeKit.presets.replacePresetByID", presetId, new
        {
            account_id = account, app_id = appId, name = "panelist", config = new { view_type = "GROUP_CALL" }, permissions = new { }, ui = new { },
        })).GetProperty("data");
        Assert.Equal("GROUP_CALL", replaced.GetProperty("config").GetProperty("view_type").GetString());

        // Meetings.
        var meeting = (await sdk.CallAsync("realtimeKit.meetings.create", appId, new { account_id = account, title = "SDK meeting", persist_chat = true })).GetProperty("data");
        string meetingId = meeting.GetProperty("id").GetString()!;
        Assert.Equal("ACTIVE", meeting.GetProperty("status").GetString());
        var found = await sdk.CallAsync("realtimeKit.meetings.get", appId, new { account_id = account, search = "SDK" });
        Assert.Equal(meetingId, found.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal("SDK meeting", (await sdk.CallAsync("realtimeKit.meetings.getMeetingByID", meetingId, ids)).GetProperty("data").GetProperty("title").GetString());
        var patched = (await sdk.CallAsync("realtimeKit.meetings.updateMeetingByID", meetingId, new { account_id = account, app_id = appId, session_keep_alive_time_in_secs = 90 })).GetProperty("data");
        Assert.Equal(90, patched.GetProperty("session_keep_alive_time_in_secs").GetInt32());
        var put = (await sdk.CallAsync("realtimeKit.meetings.replaceMeetingByID", meetingId, new { account_id = account, app_id = appId, title = "SDK meeting 2" })).GetProperty("data");
        Assert.Equal(("SDK meeting 2", 60), (put.GetProperty("title").GetString(), put.GetProperty("session_keep_alive_time_in_secs").GetInt32()));

        // Participants.
        var participant = (await sdk.CallAsync("realtimeKit.meetings.addParticipant", meetingId, new
        {
            account_id = account, app_id = appId, custom_participant_id = "sdk-user", preset_name = "panelist", name = "Grace",
        })).GetProperty("data");
        string participantId = participant.GetProperty("id").GetString()!;
        Assert.StartsWith("eyJ", participant.GetProperty("token").GetString());
        var list = await sdk.CallAsync("realtimeKit.meetings.getMeetingParticipants", meetingId, ids);
        Assert.Equal("sdk-user", list.GetProperty("data")[0].GetProperty("custom_participant_id").GetString());
        var participantIds = new { account_id = account, app_id = appId, meeting_id = meetingId };
        Assert.Equal("Grace", (await sdk.CallAsync("realtimeKit.meetings.getMeetingParticipant", participantId, participantIds)).GetProperty("data").GetProperty("name").GetString());
        var edited = (await sdk.CallAsync("realtimeKit.meetings.editParticipant", participantId, new { account_id = account, app_id = appId, meeting_id = meetingId, name = "Grace H." })).GetProperty("data");
        Assert.Equal("Grace H.", edited.GetProperty("name").GetString());
        string refreshed = (await sdk.CallAsync("realtimeKit.meetings.refreshParticipantToken", participantId, participantIds)).GetProperty("data").GetProperty("token").GetString()!;
        Assert.NotEqual(participant.GetProperty("token").GetString(), refreshed);

        // A preset in use cannot be deleted; once free, it can.
        var (inUse, _) = await sdk.CallFailingAsync("realtimeKit.presets.delete", presetId, ids);
        Assert.Equal(409, inUse);
        var deleted = (await sdk.CallAsync("realtimeKit.meetings.deleteMeetingParticipant", participantId, participantIds)).GetProperty("data");
        Assert.Equal("sdk-user", deleted.GetProperty("custom_participant_id").GetString());
        Assert.Equal(presetId, (await sdk.CallAsync("realtimeKit.presets.delete", presetId, ids)).GetProperty("data").GetProperty("id").GetString());

        var (missing, error) = await sdk.CallFailingAsync("realtimeKit.meetings.getMeetingByID", "no-such-meeting", ids);
        Assert.Equal(404, missing);
        Assert.Contains("No meeting found with id no-such-meeting", error.ToString());
    }

    [Fact]
    public async Task ActiveSessionSessionsAndMeetingLivestreams()
    {
        var tenant = await server.NewTenantAsync();
        await using var sdk = CloudflareSdk.Start(server.HttpBase, tenant.Token);
        string account = tenant.AccountId;
        string appId = tenant.AppId;
        var ids = new { account_id = account, app_id = appId };
        string meetingId = (await sdk.CallAsync("realtimeKit.meetings.create", appId, new { account_id = account, title = "Live from the SDK" })).GetProperty("data").GetProperty("id").GetString()!;
        var (none, _) = await sdk.CallFailingAsync("realtimeKit.activeSession.getActiveSession", meetingId, ids);
        Assert.Equal(404, none);

        var host = await Add(sdk, account, appId, meetingId, "host", "group_call_host");
        var guest = await Add(sdk, account, appId, meetingId, "guest", "group_call_participant");
        var (h, hJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var (g, _) = await MeetingHelpers.JoinAsync(server.HttpBase, guest);
        await using var _g = g;
        string sessionId = hJoined.GetProperty("meeting").GetProperty("session_id").GetString()!;

        var active = (await sdk.CallAsync("realtimeKit.activeSession.getActiveSession", meetingId, ids)).GetProperty("data");
        Assert.Equal((sessionId, "LIVE", "meeting", account), (active.GetProperty("id").GetString(), active.GetProperty("status").GetString(),
            active.GetProperty("type").GetString(), active.GetProperty("organization_id").GetString()));
        var poll = (await sdk.CallAsync("realtimeKit.activeSession.createPoll", meetingId, new { account_id = account, app_id = appId, question = "Ship it?", options = new[] { "yes", "no" } }))
            .GetProperty("data").GetProperty("poll");
        Assert.Equal(2, poll.GetProperty("options").GetArrayLength());
        await g.WaitForEventAsync("poll_updated");
        await g.OkAsync("chat_send", new { text = "from the guest" });

        // The meeting's livestream, with manual ingest (the SDK passes fields it does not type along).
        var started = (await sdk.CallAsync("realtimeKit.livestreams.startLivestreamingAMeeting", meetingId, new { account_id = account, app_id = appId, name = "sdk-live", manual_ingest = true }))
            .GetProperty("data");
        Assert.Equal("INVOKED", started.GetProperty("status").GetString());
        string livestreamId = started.GetProperty("id").GetString()!;
        Assert.Equal(livestreamId, (await sdk.CallAsync("realtimeKit.livestreams.getMeetingActiveLivestreams", meetingId, ids)).GetProperty("data").GetProperty("id").GetString());
        var all = await sdk.CallAsync("realtimeKit.livestreams.getAllLivestreams", appId, new { account_id = account });
        Assert.Contains(all.GetProperty("data").EnumerateArray(), l => l.GetProperty("meeting_id").GetString() == meetingId);
        Assert.Equal("Stopped live stream successfully",
            (await sdk.CallAsync("realtimeKit.livestreams.stopLivestreamingAMeeting", meetingId, ids)).GetProperty("data").GetProperty("message").GetString());
        var (stopped, _) = await sdk.CallFailingAsync("realtimeKit.livestreams.stopLivestreamingAMeeting", meetingId, ids);
        Assert.Equal(404, stopped);

        // Kicks.
        var kicked = (await sdk.CallAsync("realtimeKit.activeSession.kickParticipants", meetingId, new { account_id = account, app_id = appId, custom_participant_ids = new[] { "guest" } }))
            .GetProperty("data");
        Assert.Equal("guest", kicked.GetProperty("participants")[0].GetProperty("custom_participant_id").GetString());
        await g.WaitForEventAsync("kicked");
        Assert.Equal(1, (await sdk.CallAsync("realtimeKit.activeSession.kickAllParticipants", meetingId, ids)).GetProperty("data").GetProperty("kicked_participants_count").GetInt32());

        // Sessions, their participants and chat; org analytics.
        var sessions = (await sdk.CallAsync("realtimeKit.sessions.getSessions", appId, new { account_id = account, associated_id = meetingId })).GetProperty("data").GetProperty("sessions");
        Assert.Equal(sessionId, Assert.Single(sessions.EnumerateArray()).GetProperty("id").GetString());
        var details = (await sdk.CallAsync("realtimeKit.sessions.getSessionDetails", sessionId, ids)).GetProperty("data");
        Assert.Equal(("ENDED", 2), (details.GetProperty("status").GetString(), details.GetProperty("max_concurrent_participants").GetInt32()));
        var participants = (await sdk.CallAsync("realtimeKit.sessions.getSessionParticipants", sessionId, ids)).GetProperty("data").GetProperty("participants");
        Assert.Equal(2, participants.GetArrayLength());
        var one = (await sdk.CallAsync("realtimeKit.sessions.getSessionParticipantDetails", guest.Id, new { account_id = account, app_id = appId, session_id = sessionId }))
            .GetProperty("data").GetProperty("participant");
        Assert.Equal("guest", one.GetProperty("custom_participant_id").GetString());
        var chat = (await sdk.CallAsync("realtimeKit.sessions.getSessionChat", sessionId, ids)).GetProperty("data");
        Assert.Contains("from the guest", await server.Http.GetStringAsync(chat.GetProperty("chat_download_url").GetString()));
        var (noTranscript, _) = await sdk.CallFailingAsync("realtimeKit.sessions.getSessionTranscripts", sessionId, ids);
        Assert.Equal(404, noTranscript);
        string today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var analytics = (await sdk.CallAsync("realtimeKit.analytics.getOrgAnalytics", appId, new { account_id = account, start_date = today, end_date = today })).GetProperty("data");
        Assert.Equal(1, analytics.GetProperty("session_stats").GetProperty("sessions_count").GetInt32());
    }

    [Fact]
    public async Task RecordingsThroughTheSdk()
    {
        var tenant = await server.NewTenantAsync();
        await using var sdk = CloudflareSdk.Start(server.HttpBase, tenant.Token);
        var ids = new { account_id = tenant.AccountId, app_id = tenant.AppId };
        string meeting = await tenant.CreateMeetingAsync();
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await tenant.AddParticipantAsync(meeting, "host"));
        await using var _h = h;

        var started = (await sdk.CallAsync("realtimeKit.recordings.startRecordings", tenant.AppId, new { account_id = tenant.AccountId, meeting_id = meeting })).GetProperty("data");
        string id = started.GetProperty("id").GetString()!;
        Assert.Equal("INVOKED", started.GetProperty("status").GetString());
        Assert.Equal(id, (await sdk.CallAsync("realtimeKit.recordings.getActiveRecordings", meeting, ids)).GetProperty("data").GetProperty("id").GetString());
        await Eventually.MatchAsync(async () => (await sdk.CallAsync("realtimeKit.recordings.getOneRecording", id, ids)).GetProperty("data"),
            r => r.GetProperty("status").GetString() == "RECORDING" && r.GetProperty("recording_duration").GetDouble() > 1, "the recording to run");
        var stopped = (await sdk.CallAsync("realtimeKit.recordings.pauseResumeStopRecording", id, new { ids.account_id, ids.app_id, action = "stop" })).GetProperty("data");
        Assert.Equal("UPLOADED", stopped.GetProperty("status").GetString());
        Assert.StartsWith(server.HttpBase, stopped.GetProperty("download_url").GetString());
        var listed = await sdk.CallAsync("realtimeKit.recordings.getRecordings", tenant.AppId, new { account_id = tenant.AccountId, meeting_id = meeting });
        Assert.Equal(id, Assert.Single(listed.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
    }

    private static async Task<CreatedParticipant> Add(CloudflareSdk sdk, string account, string appId, string meetingId, string customId, string preset)
    {
        var data = (await sdk.CallAsync("realtimeKit.meetings.addParticipant", meetingId, new
        {
            account_id = account, app_id = appId, custom_participant_id = customId, preset_name = preset, name = customId,
        })).GetProperty("data");
        return new CreatedParticipant(data.GetProperty("id").GetString()!, customId, data.GetProperty("token").GetString()!);
    }
}
