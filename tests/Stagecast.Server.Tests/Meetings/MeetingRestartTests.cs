using System.Net;
using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>Meetings, participants, sessions and chat outlive the server process, whether it stops cleanly or is killed.</summary>
public sealed class MeetingRestartTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["STAGECAST_ACCOUNT_ID"] = "meeting-restart-account",
        ["STAGECAST_APP_ID"] = "meeting-restart-app",
        ["STAGECAST_API_TOKEN"] = "sct_meeting_restart_token_0123456789abcdef",
    };

    [Fact]
    public async Task ARestartKeepsMeetingsParticipantsSessionsAndChat()
    {
        string dataDir;
        string meeting;
        string sessionId;
        CreatedParticipant alice;
        await using (var server = await ServerProcess.StartAsync(environment: Environment))
        {
            dataDir = server.DataDir;
            var api = ApiOf(server);
            meeting = await api.CreateMeetingAsync("""{"title":"Survives"}""");
            alice = await api.AddParticipantAsync(meeting, "alice");
            var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
            var (a, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, alice);
            var (b, _) = await MeetingHelpers.JoinAsync(server.HttpBase, bob);
            sessionId = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;
            await a.OkAsync("chat_send", new { text = "before the restart" });
            await b.OkAsync("chat_send", new { text = "me too" });

            // A client that never reads again answers no close frame: it must not hold the shutdown.
            var frozen = await api.AddParticipantAsync(meeting, "frozen");
            using var frozenSocket = new System.Net.WebSockets.ClientWebSocket();
            await frozenSocket.ConnectAsync(new Uri($"{server.HttpBase.Replace("http", "ws")}/realtime/v1?token={frozen.Token}"), CancellationToken.None);
            await frozenSocket.SendAsync("""{"type":"join"}"""u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
            await a.WaitForEventAsync("peer_joined", m => m.GetProperty("peer").GetProperty("custom_participant_id").GetString() == "frozen");

            await server.Process.InterruptAsync(); // a clean stop ends the session and tells the peers why
            Assert.Equal("the server shut down", (await a.WaitForEventAsync("kicked")).GetProperty("reason").GetString());
            await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(15));
            await a.DisposeAsync();
            await b.DisposeAsync();
        }

        await using var again = await ServerProcess.StartAsync(dataDir, Environment);
        var restarted = ApiOf(again);
        var meetingAfter = (await restarted.GetAsync($"/meetings/{meeting}")).EnsureOk().Data;
        Assert.Equal("Survives", meetingAfter.GetProperty("title").GetString());
        Assert.Equal(["alice", "bob", "frozen"], (await restarted.GetAsync($"/meetings/{meeting}/participants")).EnsureOk().Data.EnumerateArray()
            .Select(p => p.GetProperty("custom_participant_id").GetString()));
        var session = (await restarted.GetAsync($"/sessions/{sessionId}")).EnsureOk().Data;
        Assert.Equal(("ENDED", "the server shut down", 3L), (session.GetProperty("status").GetString(), session.GetProperty("end_reason").GetString(),
            session.GetProperty("max_concurrent_participants").GetInt64()));
        Assert.All((await restarted.GetAsync($"/sessions/{sessionId}/participants")).EnsureOk().Data.GetProperty("participants").EnumerateArray(),
            p => Assert.NotEqual(JsonValueKind.Null, p.GetProperty("left_at").ValueKind));
        string csv = await new HttpClient().GetStringAsync((await restarted.GetAsync($"/sessions/{sessionId}/chat")).EnsureOk().Data.GetProperty("chat_download_url").GetString());
        Assert.Contains("before the restart", csv);
        Assert.Contains("me too", csv);

        // The participant's token was signed with the key in the data directory: it still opens the meeting.
        var (client, rejoined) = await MeetingHelpers.JoinAsync(again.HttpBase, alice);
        await using var _ = client;
        Assert.NotEqual(sessionId, rejoined.GetProperty("meeting").GetProperty("session_id").GetString());
    }

    [Fact]
    public async Task AKilledServerEndsTheSessionAtItsLastFlush()
    {
        string dataDir;
        string sessionId;
        DateTimeOffset joinedAt, killStarted, killed;
        await using (var server = await ServerProcess.StartAsync(null, Environment, "--set", "Stagecast:Sessions:FlushInterval=00:00:01"))
        {
            dataDir = server.DataDir;
            var api = ApiOf(server);
            string meeting = await api.CreateMeetingAsync();
            var (client, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "p"));
            sessionId = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;
            joinedAt = joined.GetProperty("self").GetProperty("joined_at").GetDateTimeOffset();
            // Flushes happen every second: wait until one written 3 s after the join shows in the session.
            await api.WaitForAsync($"/sessions/{sessionId}", r => r.Data.GetProperty("updated_at").GetDateTimeOffset() >= joinedAt.AddSeconds(3));
            killStarted = DateTimeOffset.UtcNow;
            await server.Process.DisposeAsync(); // kill -9, mid-session
            killed = DateTimeOffset.UtcNow;
            client.Abort();
            await client.DisposeAsync();
        }

        await using var again = await ServerProcess.StartAsync(dataDir, Environment);
        var session = (await ApiOf(again).GetAsync($"/sessions/{sessionId}")).EnsureOk().Data;
        Assert.Equal(("ENDED", "the server stopped while this session was live"), (session.GetProperty("status").GetString(), session.GetProperty("end_reason").GetString()));
        var peer = (await ApiOf(again).GetAsync($"/sessions/{sessionId}/participants")).EnsureOk().Data.GetProperty("participants")[0];
        var present = peer.GetProperty("left_at").GetDateTimeOffset() - joinedAt;
        // Presence runs to the last flush before the kill: no later than the kill, and no more than one flush interval
        // (1 s, plus slack for a loaded machine) before it.
        var earliest = killStarted - joinedAt - TimeSpan.FromSeconds(2);
        var latest = killed - joinedAt;
        Assert.InRange(present, earliest, latest);
        Assert.InRange(session.GetProperty("minutes_consumed").GetDouble(), earliest.TotalMinutes, latest.TotalMinutes);
    }

    private static StagecastApiClient ApiOf(ServerProcess server) =>
        new(new HttpClient { BaseAddress = new Uri(server.HttpBase) }, Environment["STAGECAST_ACCOUNT_ID"], Environment["STAGECAST_APP_ID"], Environment["STAGECAST_API_TOKEN"]);
}
