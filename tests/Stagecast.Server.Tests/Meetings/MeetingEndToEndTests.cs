using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// What a user of the meeting half does, start to finish: a meeting and two participants made with Cloudflare's
/// SDK, both on the realtime channel, chat, the meeting's livestream started with manual ingest and fed by ffmpeg,
/// watched on its playback URL while the viewer count arrives on the channel, stopped, and everything read back.
/// </summary>
public sealed class MeetingEndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AMeetingIsHeldLivestreamedWatchedStoppedAndReadBack()
    {
        var tenant = await server.NewTenantAsync();
        await using var sdk = CloudflareSdk.Start(server.HttpBase, tenant.Token);
        string account = tenant.AccountId;
        string appId = tenant.AppId;
        var ids = new { account_id = account, app_id = appId };

        string meetingId = (await sdk.CallAsync("realtimeKit.meetings.create", appId, new { account_id = account, title = "Launch party" }))
            .GetProperty("data").GetProperty("id").GetString()!;
        async Task<CreatedParticipant> AddAsync(string customId, string preset)
        {
            var data = (await sdk.CallAsync("realtimeKit.meetings.addParticipant", meetingId, new
            {
                account_id = account, app_id = appId, custom_participant_id = customId, preset_name = preset, name = customId,
            })).GetProperty("data");
            return new CreatedParticipant(data.GetProperty("id").GetString()!, customId, data.GetProperty("token").GetString()!);
        }

        var host = await AddAsync("host", "livestream_host");
        var fan = await AddAsync("fan", "livestream_viewer");

        // Both join the channel and see each other; they chat.
        var (h, hJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var (f, fJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, fan);
        await using var _f = f;
        Assert.Equal("host", Assert.Single(fJoined.GetProperty("peers").EnumerateArray()).GetProperty("custom_participant_id").GetString());
        Assert.Equal("fan", (await h.WaitForEventAsync("peer_joined")).GetProperty("peer").GetProperty("custom_participant_id").GetString());
        await f.OkAsync("chat_send", new { text = "can't wait!" });
        await h.WaitForEventAsync("chat_message");
        await h.OkAsync("chat_send", new { text = "going live" });
        string sessionId = hJoined.GetProperty("meeting").GetProperty("session_id").GetString()!;

        // The host starts the livestream with manual ingest, as RTKLivestream.start({manualIngestion: true}) does.
        var livestream = (await h.OkAsync("livestream_start", new { manual_ingest = true })).GetProperty("livestream");
        string livestreamId = livestream.GetProperty("id").GetString()!;
        var credentials = livestream.GetProperty("ingestion_credentials");
        await using var publisher = Ffmpeg.Publish(
            $"{credentials.GetProperty("ingestion_server").GetString()}/{credentials.GetProperty("stream_key").GetString()}", Ffmpeg.AudioVideo(60, "320x180"));
        var live = await f.WaitForEventAsync("livestream_started", timeout: TimeSpan.FromSeconds(20));
        string playbackUrl = live.GetProperty("livestream").GetProperty("playback_url").GetString()!;

        // The fan watches the playback URL: H.264 and AAC that ffmpeg decodes; the viewer count arrives on the channel.
        await server.WaitUntilPlayableAsync(playbackUrl);
        var codecs = (await Ffmpeg.ProbeAsync(playbackUrl)).Select(s => s.Codec).Order().ToList();
        Assert.Equal(["aac", "h264"], codecs);
        var watching = Ffmpeg.DecodeAsync(playbackUrl, 5);
        var viewers = await h.WaitForEventAsync("viewer_count", m => m.GetProperty("count").GetInt32() >= 1, TimeSpan.FromSeconds(20));
        Assert.Equal(livestreamId, viewers.GetProperty("livestream_id").GetString());
        Assert.Equal(0, (await watching).ExitCode);

        // Stopped through the SDK; the channel hears it and the publisher is disconnected.
        await sdk.CallAsync("realtimeKit.livestreams.stopLivestreamingAMeeting", meetingId, ids);
        await f.WaitForEventAsync("livestream_stopped");
        Assert.NotEqual(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        await server.SessionsWrittenAsync();

        // Everything reads back: the meeting session, its participants, its chat and its livestream session.
        var session = (await sdk.CallAsync("realtimeKit.sessions.getSessionDetails", sessionId, ids)).GetProperty("data");
        Assert.Equal(("LIVE", 2, meetingId), (session.GetProperty("status").GetString(), session.GetProperty("live_participants").GetInt32(),
            session.GetProperty("associated_id").GetString()));
        var participants = (await sdk.CallAsync("realtimeKit.sessions.getSessionParticipants", sessionId, ids)).GetProperty("data").GetProperty("participants");
        Assert.Equal(["fan", "host"], participants.EnumerateArray().Select(p => p.GetProperty("custom_participant_id").GetString()).Order());
        string csv = await server.Http.GetStringAsync(
            (await sdk.CallAsync("realtimeKit.sessions.getSessionChat", sessionId, ids)).GetProperty("data").GetProperty("chat_download_url").GetString());
        Assert.Contains("can't wait!", csv);
        Assert.Contains("going live", csv);
        var details = (await sdk.CallAsync("realtimeKit.livestreams.getLivestreamSessionForLivestreamID", livestreamId, ids)).GetProperty("data");
        Assert.Equal("IDLE", details.GetProperty("livestream").GetProperty("status").GetString());
        var livestreamSession = details.GetProperty("session");
        Assert.True(livestreamSession.GetProperty("ingest_seconds").GetInt64() >= 5);
        Assert.True(livestreamSession.GetProperty("viewer_seconds").GetInt64() >= 1);
        string livestreamSessionId = livestreamSession.GetProperty("id").GetString()!;
        Assert.Equal(livestreamSessionId, (await sdk.CallAsync("realtimeKit.livestreams.getLivestreamSessionDetailsForSessionID", livestreamSessionId, ids))
            .GetProperty("data").GetProperty("id").GetString());
        var ofMeetingSession = (await tenant.GetAsync($"/sessions/{sessionId}/livestream-sessions")).EnsureOk().Data;
        Assert.Equal(livestreamSessionId, Assert.Single(ofMeetingSession.EnumerateArray()).GetProperty("id").GetString());
    }
}
