using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Server.Features.Rooms;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// When meeting sessions start and end, driven by a manual clock: keep-alive after the last peer leaves, the
/// reconnect grace of a dropped peer, and participant minutes measured to the second.
/// </summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class MeetingSessionLifecycleTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task KeepAliveGraceAndParticipantMinutesFollowTheClock()
    {
        var clock = new FakeTimeProvider(Start);
        var server = await ServerFixture.StartAsync(clock);
        await using var _ = server.AsAsyncDisposable();
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var alice = await api.AddParticipantAsync(meeting, "alice");
        var bob = await api.AddParticipantAsync(meeting, "bob");

        // 10:00:00 Alice joins: the session starts.
        var (a, aJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, alice);
        string sessionId = aJoined.GetProperty("meeting").GetProperty("session_id").GetString()!;
        var session = (await api.GetAsync($"/sessions/{sessionId}")).EnsureOk().Data;
        Assert.Equal(Start, session.GetProperty("started_at").GetDateTimeOffset());

        // 10:10:00 she leaves; the session waits 60 s for someone to come.
        clock.Advance(TimeSpan.FromMinutes(10));
        await a.OkAsync("leave");
        await a.DisposeAsync();
        clock.Advance(TimeSpan.FromSeconds(59)); // no timer is due yet: nothing runs, so the answer cannot change later
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/meetings/{meeting}/active-session")).Status);

        // 10:10:59 Bob comes within the keep-alive: the same session goes on.
        var (b, bJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, bob);
        Assert.Equal(sessionId, bJoined.GetProperty("meeting").GetProperty("session_id").GetString());
        string bobPeer = bJoined.GetProperty("peer_id").GetString()!;
        clock.Advance(TimeSpan.FromSeconds(61)); // past the keep-alive that Bob's join cancelled
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/meetings/{meeting}/active-session")).Status);

        // 10:12:00 Bob's connection drops; within the grace he is still there, and his reconnect keeps his peer id.
        var room = server.App.Services.GetRequiredService<MeetingRooms>().Find(meeting)!;
        b.Abort();
        await b.DisposeAsync();
        await Eventually.TrueAsync(() => room.Peers.Single().Client is null, "the server to notice Bob's drop");
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(1, (await api.GetAsync($"/meetings/{meeting}/active-session")).EnsureOk().Data.GetProperty("live_participants").GetInt64());
        var (back, rejoined) = await MeetingHelpers.JoinAsync(server.HttpBase, bob, new { peer_id = bobPeer });
        Assert.Equal(bobPeer, rejoined.GetProperty("peer_id").GetString());

        // 10:12:29 he drops again and stays away: 30 s later (10:12:59) he has left, as of the drop.
        back.Abort();
        await back.DisposeAsync();
        await Eventually.TrueAsync(() => room.Peers.Single().Client is null, "the server to notice Bob's second drop");
        clock.Advance(TimeSpan.FromSeconds(30));
        await api.WaitForAsync($"/meetings/{meeting}/active-session", r => r.Status == HttpStatusCode.OK && r.Data.GetProperty("live_participants").GetInt64() == 0);

        // Nobody for 60 s after he was gone (10:12:59, when his grace ran out): the session ends at 10:13:59.
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/meetings/{meeting}/active-session")).Status);
        clock.Advance(TimeSpan.FromSeconds(1));
        await api.WaitForAsync($"/meetings/{meeting}/active-session", r => r.Status == HttpStatusCode.NotFound);

        session = (await api.GetAsync($"/sessions/{sessionId}")).EnsureOk().Data;
        Assert.Equal("ENDED", session.GetProperty("status").GetString());
        Assert.Equal("all participants left", session.GetProperty("end_reason").GetString());
        Assert.Equal(Start.AddSeconds(839), session.GetProperty("ended_at").GetDateTimeOffset());
        Assert.Equal(1, session.GetProperty("max_concurrent_participants").GetInt64());
        // Alice 10:00:00-10:10:00, Bob 10:10:59-10:12:29: 600 + 90 participant seconds.
        Assert.Equal(Math.Round(690 / 60.0, 3), session.GetProperty("minutes_consumed").GetDouble());

        var peers = (await api.GetAsync($"/sessions/{sessionId}/participants")).EnsureOk().Data.GetProperty("participants").EnumerateArray().ToList();
        Assert.Equal([10.0, 1.5], peers.Select(p => p.GetProperty("duration").GetDouble()));
        Assert.Equal(Start.AddSeconds(749), peers[1].GetProperty("left_at").GetDateTimeOffset());

        var daywise = (await api.GetAsync("/analytics/daywise?start_date=2026-11-20&end_date=2026-11-21")).EnsureOk().Data.GetProperty("session_stats");
        Assert.Equal(1, daywise.GetProperty("sessions_count").GetInt64());
        Assert.Equal(["2026-11-20", "2026-11-21"], daywise.GetProperty("day_stats").EnumerateArray().Select(d => d.GetProperty("day").GetString()));
        Assert.Equal(Math.Round(690 / 60.0, 3), daywise.GetProperty("day_stats")[1].GetProperty("total_session_minutes").GetDouble());
        var sessions = (await api.GetAsync($"/sessions?associated_id={meeting}&status=ENDED")).EnsureOk();
        Assert.Equal(sessionId, sessions.Data.GetProperty("sessions")[0].GetProperty("id").GetString());
        Assert.Equal(0, (await api.GetAsync("/sessions?status=LIVE")).EnsureOk().Body.GetProperty("paging").GetProperty("total_count").GetInt64());
    }

    [Fact]
    public async Task AStopLetsTheSocketsOfClientsThatAnswerTheCloseGoWithoutWaitingForTheClock()
    {
        var clock = new FakeTimeProvider(Start);
        var server = await ServerFixture.StartAsync(clock);
        await using var _ = server.AsAsyncDisposable();
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (alice, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "alice"));
        await using var __ = alice;
        var (bob, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "bob"));
        await using var ___ = bob;

        // Both answer the server's close frame; their requests end then, and with them Kestrel's wait for open requests.
        // The clock never moves, so a stop that waited on it (it waited 2 s per socket) would never end.
        var stopping = server.App.StopAsync();
        foreach (var client in new[] { alice, bob })
        {
            Assert.Equal("the server shut down", (await client.WaitForEventAsync("kicked")).GetProperty("reason").GetString());
        }

        await stopping.WaitAsync(TimeSpan.FromSeconds(20)); // a hang guard: the stop takes well under a second
    }

    [Fact]
    public async Task AClientThatStopsAnsweringPingsIsDroppedAndThenLeaves()
    {
        var server = await ServerFixture.StartAsync(
        [
            "--set", "Stagecast:Realtime:KeepAliveInterval=00:00:01", "--set", "Stagecast:Realtime:KeepAliveTimeout=00:00:01",
            "--set", "Stagecast:Realtime:ReconnectGrace=00:00:01",
        ]);
        await using var _ = server.AsAsyncDisposable();
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (watcher, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "watcher"));
        await using var __ = watcher;

        // A client that joins and then never reads again: it never answers the server's pings.
        var frozen = await api.AddParticipantAsync(meeting, "frozen");
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(new Uri($"{server.HttpBase.Replace("http", "ws")}/realtime/v1?token={frozen.Token}"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"join","id":"1"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        await watcher.WaitForEventAsync("peer_joined");

        var left = await watcher.WaitForEventAsync("peer_left", timeout: TimeSpan.FromSeconds(15)); // ping timeout and grace: 2 s
        Assert.Equal(("disconnected", frozen.Id), (left.GetProperty("reason").GetString(), left.GetProperty("user_id").GetString()));
    }
}
