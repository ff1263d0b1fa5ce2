using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Server.Features.Rooms;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// The keep-alive of an emptied meeting counts from the moment the last peer is gone, however long the store takes to
/// write the leave (on PostgreSQL a poll could see the leave and move the clock before the timer was set, and the
/// session outlived its keep-alive). The store is made slow for real: the test holds SQLite's write lock.
/// </summary>
public sealed class MeetingKeepAliveTests
{
    [Fact]
    public async Task TheKeepAliveStartsWhenTheRoomEmptiesNotWhenTheStoreHasWrittenTheLeave()
    {
        var start = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        // No progress flush while the clock moves (it writes too, and would wait for the lock before the grace runs out).
        var server = await ServerFixture.StartAsync(clock, "--set", "Stagecast:Sessions:FlushInterval=01:00:00");
        await using var _ = server.AsAsyncDisposable();
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (alice, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "alice"));
        string sessionId = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;
        var room = server.App.Services.GetRequiredService<MeetingRooms>().Find(meeting)!;
        alice.Abort();
        await alice.DisposeAsync();
        await Eventually.TrueAsync(() => room.Peers.Single().Client is null, "the server to notice Alice's drop");

        await using (var writer = new SqliteConnection($"Data Source={Path.Combine(server.DataDir, "stagecast.db")}"))
        {
            await writer.OpenAsync();
            await using var hold = writer.CreateCommand();
            hold.CommandText = "BEGIN IMMEDIATE";
            await hold.ExecuteNonQueryAsync();

            // Her grace runs out: the room is empty, and the write of her leave waits for the lock. SQLite writes without
            // yielding, so the timer's callback holds the thread that moves the clock: that is one of the pool's.
            var graceRunsOut = Task.Run(() => clock.Advance(TimeSpan.FromSeconds(30)));
            await Eventually.TrueAsync(() => room.Peers.Count == 0, "Alice's grace to run out");
            clock.Advance(TimeSpan.FromSeconds(60)); // the keep-alive (60 s) has passed since the room emptied
            hold.CommandText = "ROLLBACK";
            await hold.ExecuteNonQueryAsync();
            await graceRunsOut;
        }

        await api.WaitForAsync($"/meetings/{meeting}/active-session", r => r.Status == HttpStatusCode.NotFound);
        var session = (await api.GetAsync($"/sessions/{sessionId}")).EnsureOk().Data;
        Assert.Equal("all participants left", session.GetProperty("end_reason").GetString());
        Assert.Equal(start.AddSeconds(90), session.GetProperty("ended_at").GetDateTimeOffset());
    }
}
