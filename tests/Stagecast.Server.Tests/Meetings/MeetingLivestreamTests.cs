using System.Net;
using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>Livestreams of meetings (L6-L10) with real ffmpeg, and their control and events on the realtime channel.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class MeetingLivestreamTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ManualIngestGoesInvokedLiveAndIsStoppedWithItsSessionAndSeconds()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "livestream_host");
        var viewer = await api.AddParticipantAsync(meeting, "viewer", "livestream_viewer");
        var (h, hJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var (v, _) = await MeetingHelpers.JoinAsync(server.HttpBase, viewer);
        await using var _v = v;
        string meetingSession = hJoined.GetProperty("meeting").GetProperty("session_id").GetString()!;
        Assert.Equal(JsonValueKind.Null, hJoined.GetProperty("livestream").ValueKind);

        // L9: INVOKED, with what an encoder needs.
        var started = await api.PostAsync($"/meetings/{meeting}/livestreams", """{"name":"town-hall","manual_ingest":true,"video_config":{"width":1280,"height":720}}""");
        Assert.Equal(HttpStatusCode.Created, started.Status);
        var livestream = started.Data;
        string id = livestream.GetProperty("id").GetString()!;
        Assert.Equal(("INVOKED", meeting, true, "town-hall"), (livestream.GetProperty("status").GetString(), livestream.GetProperty("meeting_id").GetString(),
            livestream.GetProperty("manual_ingest").GetBoolean(), livestream.GetProperty("name").GetString()));
        string key = livestream.GetProperty("stream_key").GetString()!;
        string ingest = livestream.GetProperty("ingest_server").GetString()!;
        string playback = livestream.GetProperty("playback_url").GetString()!;
        string thumbnail = livestream.GetProperty("thumbnail_url").GetString()!;
        Assert.Equal($"{server.HttpBase}/{id}/thumbnail.jpg", thumbnail);
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync($"/meetings/{meeting}/livestreams", "{}")).Status);
        var active = (await api.GetAsync($"/meetings/{meeting}/active-livestream")).EnsureOk().Data;
        Assert.Equal((id, thumbnail), (active.GetProperty("id").GetString(), active.GetProperty("thumbnail_url").GetString()));

        // The channel tells the meeting; only those who may livestream get the ingest credentials.
        var invoked = await h.WaitForEventAsync("livestream_invoked");
        Assert.Equal("WAITING_ON_MANUAL_INGESTION", invoked.GetProperty("livestream").GetProperty("state").GetString());
        Assert.Equal(key, invoked.GetProperty("livestream").GetProperty("ingestion_credentials").GetProperty("stream_key").GetString());
        var seenByViewer = await v.WaitForEventAsync("livestream_invoked");
        Assert.Equal(JsonValueKind.Null, seenByViewer.GetProperty("livestream").GetProperty("ingestion_credentials").ValueKind);
        Assert.Equal(playback, seenByViewer.GetProperty("livestream").GetProperty("playback_url").GetString());
        Assert.DoesNotContain(key, seenByViewer.ToString());

        // The host pushes; the livestream goes LIVE like any other.
        await using var publisher = Ffmpeg.Publish($"{ingest}/{key}", Ffmpeg.AudioVideo(60, "320x180"));
        Assert.Equal("LIVESTREAMING", (await h.WaitForEventAsync("livestream_started", timeout: TimeSpan.FromSeconds(20))).GetProperty("livestream").GetProperty("state").GetString());
        await api.WaitForStatusAsync(id, "LIVE");

        // A viewer watches the playback URL; the meeting hears how many watch.
        await server.WaitUntilPlayableAsync(playback);
        Assert.Equal("image/jpeg", (await server.Http.GetAsync(thumbnail)).EnsureSuccessStatusCode().Content.Headers.ContentType!.MediaType);
        var watching = Ffmpeg.DecodeAsync(playback, 6);
        var count = await v.WaitForEventAsync("viewer_count", m => m.GetProperty("count").GetInt32() >= 1, TimeSpan.FromSeconds(20));
        Assert.Equal(id, count.GetProperty("livestream_id").GetString());
        Assert.Equal(0, (await watching).ExitCode);

        // L7: stopped; the publisher is disconnected, the key refused from now on.
        Assert.Equal("Stopped live stream successfully", (await api.PostAsync($"/meetings/{meeting}/active-livestream/stop")).EnsureOk().Data.GetProperty("message").GetString());
        Assert.Equal("IDLE", (await v.WaitForEventAsync("livestream_stopped")).GetProperty("livestream").GetProperty("state").GetString());
        Assert.NotEqual(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/meetings/{meeting}/active-livestream")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync($"/meetings/{meeting}/active-livestream/stop")).Status);
        await using (var refused = Ffmpeg.Publish($"{ingest}/{key}", Ffmpeg.AudioVideo(5, "320x180")))
        {
            Assert.NotEqual(0, await refused.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        }

        await server.SessionsWrittenAsync();
        var details = await api.WaitForStatusAsync(id, "IDLE");
        var session = Assert.Single(details.GetProperty("sessions").EnumerateArray());
        Assert.NotEqual(JsonValueKind.Null, session.GetProperty("invoked_time").ValueKind);
        Assert.True(session.GetProperty("started_time").GetDateTimeOffset() >= session.GetProperty("invoked_time").GetDateTimeOffset());
        Assert.NotEqual(JsonValueKind.Null, session.GetProperty("stopped_time").ValueKind);
        Assert.True(session.GetProperty("ingest_seconds").GetInt64() >= 3);
        Assert.True(session.GetProperty("viewer_seconds").GetInt64() >= 1);

        // L10 and L8 find it from the meeting side.
        var ofMeetingSession = (await api.GetAsync($"/sessions/{meetingSession}/livestream-sessions")).EnsureOk().Data;
        Assert.Equal(session.GetProperty("id").GetString(), Assert.Single(ofMeetingSession.EnumerateArray()).GetProperty("id").GetString());
        var ofMeeting = (await api.GetAsync($"/meetings/{meeting}/livestream")).EnsureOk().Data;
        Assert.Equal(id, Assert.Single(ofMeeting.GetProperty("livestreams").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(session.GetProperty("id").GetString(), Assert.Single(ofMeeting.GetProperty("sessions").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(1, ofMeeting.GetProperty("paging").GetProperty("total_count").GetInt64());

        // GET /livestreams lists meeting livestreams unless they are excluded.
        Assert.Contains((await api.GetAsync("/livestreams")).EnsureOk().Data.EnumerateArray(), l => l.GetProperty("id").GetString() == id);
        Assert.DoesNotContain((await api.GetAsync("/livestreams?exclude_meetings=true")).EnsureOk().Data.EnumerateArray(), l => l.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task TheChannelStartsAndStopsTheLivestreamWithRtkErrorCodes()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host");
        var guest = await api.AddParticipantAsync(meeting, "guest", "group_call_participant");
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var (g, _) = await MeetingHelpers.JoinAsync(server.HttpBase, guest);
        await using var _g = g;

        Assert.Equal(1902, (await h.RequestAsync("livestream_stop")).GetProperty("code").GetInt32());
        Assert.Equal(1901, (await g.RequestAsync("livestream_start", new { manual_ingest = true })).GetProperty("code").GetInt32());
        var started = await h.OkAsync("livestream_start", new { manual_ingest = true });
        var livestream = started.GetProperty("livestream");
        Assert.Equal("WAITING_ON_MANUAL_INGESTION", livestream.GetProperty("state").GetString());
        string key = livestream.GetProperty("ingestion_credentials").GetProperty("stream_key").GetString()!;
        Assert.Equal(1900, (await h.RequestAsync("livestream_start")).GetProperty("code").GetInt32());
        Assert.Equal(1901, (await g.RequestAsync("livestream_stop")).GetProperty("code").GetInt32());
        await g.WaitForEventAsync("livestream_invoked");

        // A broadcast that ends while the livestream is active leaves it waiting for media again.
        string ingest = livestream.GetProperty("ingestion_credentials").GetProperty("ingestion_server").GetString()!;
        await using (var publisher = Ffmpeg.Publish($"{ingest}/{key}", Ffmpeg.AudioVideo(3, "320x180")))
        {
            await g.WaitForEventAsync("livestream_started", timeout: TimeSpan.FromSeconds(20));
            Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        var again = await g.WaitForEventAsync("livestream_invoked", timeout: TimeSpan.FromSeconds(20));
        Assert.Equal("INVOKED", again.GetProperty("livestream").GetProperty("status").GetString());
        string id = livestream.GetProperty("id").GetString()!;
        await api.WaitForStatusAsync(id, "INVOKED");

        await h.OkAsync("livestream_stop");
        await g.WaitForEventAsync("livestream_stopped");
        await server.SessionsWrittenAsync();
        var sessions = (await api.GetLivestreamAsync(id)).GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(2, sessions.Count); // the broadcast, and the wait after it that ended without media
        Assert.Equal(JsonValueKind.Null, sessions[0].GetProperty("started_time").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, sessions[0].GetProperty("stopped_time").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, sessions[1].GetProperty("started_time").ValueKind);
    }

    [Fact]
    public async Task AMeetingThatGoesLiveOnStartInvokesItsLivestreamWithEachSession()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"always live","live_stream_on_start":true}""");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/meetings/{meeting}/active-livestream")).Status);
        var host = await api.AddParticipantAsync(meeting, "host");
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var invoked = await h.WaitForEventAsync("livestream_invoked");
        Assert.Equal("STARTING", invoked.GetProperty("livestream").GetProperty("state").GetString()); // fed by the meeting's program
        var active = (await api.GetAsync($"/meetings/{meeting}/active-livestream")).EnsureOk().Data;
        Assert.False(active.GetProperty("manual_ingest").GetBoolean());
        Assert.Equal("INVOKED", active.GetProperty("status").GetString());

        // The session's end stops it.
        await api.PostAsync($"/meetings/{meeting}/active-session/kick-all");
        await api.WaitForAsync($"/meetings/{meeting}/active-livestream", r => r.Status == HttpStatusCode.NotFound);
        await server.SessionsWrittenAsync();
        Assert.Equal("IDLE", (await api.GetLivestreamAsync(active.GetProperty("id").GetString()!)).GetProperty("livestream").GetProperty("status").GetString());
    }

    [Fact]
    public async Task MeetingLivestreamErrors()
    {
        var api = await server.NewTenantAsync();
        string inactive = await api.CreateMeetingAsync("""{"status":"INACTIVE"}""");
        var refused = await api.PostAsync($"/meetings/{inactive}/livestreams", "{}");
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal($"meeting {inactive} is inactive", refused.ErrorMessage);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync("/meetings/nope/livestreams", "{}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/meetings/nope/livestream")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/sessions/nope/livestream-sessions")).Status);
        string meeting = await api.CreateMeetingAsync();
        var badName = await api.PostAsync($"/meetings/{meeting}/livestreams", """{"name":"no spaces"}""");
        Assert.Equal("BAD_REQUEST: \"name\" must match ^[a-zA-Z0-9-_]*$", badName.ErrorMessage);
        var badSize = await api.PostAsync($"/meetings/{meeting}/livestreams", """{"video_config":{"width":0}}""");
        Assert.Equal("BAD_REQUEST: \"video_config.width\" must be from 16 to 3840", badSize.ErrorMessage);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/meetings/{meeting}/active-livestream")).Status);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"/meetings/{meeting}/livestreams")).Status); // no session needed, no body needed
    }
}
