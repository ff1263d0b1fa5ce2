using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>The waiting room: a preset's waiting_room_type holds a joining participant until a host decides.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class WaitingRoomTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AWaitingParticipantSeesNothingUntilAHostLetsItInAndARejectedOneIsTurnedAway()
    {
        var api = await server.NewTenantAsync();
        await CreatePresetAsync(api, "guest_waits", "ON_PRIVILEGED_USER_ENTRY");
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host");
        var (h, hostJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        Assert.Empty(hostJoined.GetProperty("waitlisted").EnumerateArray());

        // The guest asks to join: it is told to wait, the host is told who waits, and the guest can do nothing meanwhile.
        var guest = await api.AddParticipantAsync(meeting, "guest", "guest_waits", name: "Guest");
        await using var g = await RealtimeTestClient.ConnectAsync(server.HttpBase, guest.Token);
        var joining = g.RequestAsync("join");
        string waitId = (await g.WaitForEventAsync("waitlisted")).GetProperty("waitlist_id").GetString()!;
        var entry = (await h.WaitForEventAsync("waitlist_added")).GetProperty("waitlisted");
        Assert.Equal((waitId, "Guest", guest.Id), (entry.GetProperty("id").GetString(), entry.GetProperty("name").GetString(), entry.GetProperty("user_id").GetString()));
        var refused = await g.RequestAsync("chat_send", new { text = "let me in" });
        Assert.Equal(409, refused.GetProperty("code").GetInt32());
        Assert.False(joining.IsCompleted);

        // Someone who may not accept cannot; the host can.
        var other = await api.AddParticipantAsync(meeting, "other", "group_call_participant");
        var (o, _) = await MeetingHelpers.JoinAsync(server.HttpBase, other);
        await using var _o = o;
        Assert.Equal(403, (await o.RequestAsync("waitlist_accept", new { waitlist_id = waitId })).GetProperty("code").GetInt32());
        Assert.Equal(404, (await h.RequestAsync("waitlist_accept", new { waitlist_id = "nobody" })).GetProperty("code").GetInt32());
        await h.OkAsync("waitlist_accept", new { waitlist_id = waitId });
        var joined = await joining;
        Assert.Equal("ok", joined.GetProperty("type").GetString());
        string guestPeer = joined.GetProperty("data").GetProperty("peer_id").GetString()!;
        await h.WaitForEventAsync("peer_joined", m => m.GetProperty("peer").GetProperty("id").GetString() == guestPeer);
        var removed = await h.WaitForEventAsync("waitlist_removed");
        Assert.Equal((waitId, "accepted"), (removed.GetProperty("waitlist_id").GetString(), removed.GetProperty("reason").GetString()));
        await g.OkAsync("chat_send", new { text = "thanks" });

        // A second guest is turned away: its join is refused and its socket closed.
        var late = await api.AddParticipantAsync(meeting, "late", "guest_waits");
        await using var l = await RealtimeTestClient.ConnectAsync(server.HttpBase, late.Token);
        var lateJoin = l.RequestAsync("join");
        string lateId = (await l.WaitForEventAsync("waitlisted")).GetProperty("waitlist_id").GetString()!;
        await h.OkAsync("waitlist_reject", new { waitlist_id = lateId });
        var answer = await lateJoin;
        Assert.Equal(("error", 403), (answer.GetProperty("type").GetString(), answer.GetProperty("code").GetInt32()));
        Assert.Equal(4001, (int)(await l.WaitForCloseAsync())!);
    }

    [Fact]
    public async Task WithSkipOnAcceptAParticipantLetInOnceEntersDirectlyAfterwards()
    {
        var api = await server.NewTenantAsync();
        await CreatePresetAsync(api, "regular", "SKIP_ON_ACCEPT");
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host");
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var regular = await api.AddParticipantAsync(meeting, "regular", "regular");

        await using (var first = await RealtimeTestClient.ConnectAsync(server.HttpBase, regular.Token))
        {
            var joining = first.RequestAsync("join");
            string id = (await first.WaitForEventAsync("waitlisted")).GetProperty("waitlist_id").GetString()!;
            await h.OkAsync("waitlist_accept", new { waitlist_id = id });
            Assert.Equal("ok", (await joining).GetProperty("type").GetString());
            await first.OkAsync("leave");
        }

        await using var again = await RealtimeTestClient.ConnectAsync(server.HttpBase, regular.Token);
        Assert.Equal("ok", (await again.RequestAsync("join")).GetProperty("type").GetString());
    }

    private static async Task CreatePresetAsync(StagecastApiClient api, string name, string waitingRoomType) =>
        (await api.PostAsync("/presets", JsonSerializer.Serialize(new { name, permissions = new { waiting_room_type = waitingRoomType } }))).EnsureOk();
}
