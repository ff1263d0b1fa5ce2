using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>The stage on the realtime channel with real WebSocket clients: a webinar's attendee asks, is let on, joins and is sent off.</summary>
public sealed class RealtimeStageTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AnAttendeeAsksAHostGrantsItJoinsTheStageAndIsSentOff()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "webinar_host", "Hana");
        var attendee = await api.AddParticipantAsync(meeting, "attendee", "webinar_viewer", "Ade");

        // The host enters on the stage and may run it; the attendee enters off it, and may publish only once on it.
        var (h, hJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        Assert.Equal("ON_STAGE", hJoined.GetProperty("self").GetProperty("stage_status").GetString());
        Assert.Equal((true, "ALLOWED", true), Stage(hJoined));
        Assert.Empty(hJoined.GetProperty("stage_requests").EnumerateArray());
        var (a, aJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, attendee);
        await using var _a = a;
        string attendeePeer = aJoined.GetProperty("peer_id").GetString()!;
        string hostPeer = hJoined.GetProperty("peer_id").GetString()!;
        Assert.Equal("OFF_STAGE", aJoined.GetProperty("self").GetProperty("stage_status").GetString());
        Assert.Equal((true, "CAN_REQUEST", false), Stage(aJoined));
        Assert.True(aJoined.GetProperty("permissions").GetProperty("can_produce_video").GetBoolean()); // on the stage
        Assert.Equal("ON_STAGE", Assert.Single(aJoined.GetProperty("peers").EnumerateArray()).GetProperty("stage_status").GetString());
        var arrived = await h.WaitForEventAsync("peer_joined");
        Assert.Equal("OFF_STAGE", arrived.GetProperty("peer").GetProperty("stage_status").GetString()); // the audience

        // Off the stage it may neither join unasked nor share its screen; it asks.
        await RefusedAsync(a, "stage_join", null, 403);
        await RefusedAsync(a, "peer_update", new { screenshare_enabled = true }, 403);
        var asked = await a.OkAsync("stage_request");
        Assert.Equal("REQUESTED", asked.GetProperty("self").GetProperty("stage_status").GetString());
        await ChangedAsync(h, attendeePeer, "REQUESTED", "requested", attendeePeer);
        await ChangedAsync(a, attendeePeer, "REQUESTED", "requested", attendeePeer);
        var requests = await h.WaitForEventAsync("stage_requests");
        var request = Assert.Single(requests.GetProperty("requests").EnumerateArray());
        Assert.Equal((attendeePeer, attendee.Id, "Ade"), (request.GetProperty("peer_id").GetString(), request.GetProperty("user_id").GetString(), request.GetProperty("name").GetString()));

        // A host joining now finds the request in its join answer.
        var (h2, h2Joined) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "cohost", "webinar_host"));
        await using var _h2 = h2;
        Assert.Equal(attendeePeer, Assert.Single(h2Joined.GetProperty("stage_requests").EnumerateArray()).GetProperty("peer_id").GetString());

        // The host grants it by participant id: the attendee is approved, the requests are empty again; it joins.
        var granted = await h.OkAsync("stage_grant", new { user_ids = new[] { attendee.Id } });
        Assert.Equal("APPROVED", Assert.Single(granted.GetProperty("peers").EnumerateArray()).GetProperty("stage_status").GetString());
        await ChangedAsync(a, attendeePeer, "APPROVED", "granted", hostPeer);
        Assert.Empty((await h.WaitForEventAsync("stage_requests")).GetProperty("requests").EnumerateArray());
        var joined = await a.OkAsync("stage_join");
        Assert.Equal("ON_STAGE", joined.GetProperty("self").GetProperty("stage_status").GetString());
        await ChangedAsync(h, attendeePeer, "ON_STAGE", "joined", attendeePeer);
        await a.OkAsync("peer_update", new { screenshare_enabled = true }); // on the stage, its preset's CAN_REQUEST screen share is allowed

        // The host sends it off by peer id; asked again, it is turned down.
        await h.OkAsync("stage_kick", new { peer_ids = new[] { attendeePeer } });
        await ChangedAsync(a, attendeePeer, "OFF_STAGE", "kicked", hostPeer);
        await a.OkAsync("stage_request");
        await h.OkAsync("stage_deny", new { peer_ids = new[] { attendeePeer } });
        await ChangedAsync(a, attendeePeer, "OFF_STAGE", "denied", hostPeer);

        // Only hosts hear the requests, and only they act on others.
        Assert.DoesNotContain(a.Seen, m => m.GetProperty("type").GetString() == "stage_requests");
        await RefusedAsync(a, "stage_grant", new { peer_ids = new[] { attendeePeer } }, 403);
    }

    [Fact]
    public async Task StageRequestsThatCannotBeMetAreRefusedWithTheirReason()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (h, hJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "host", "webinar_host"));
        await using var _h = h;
        var (g, gJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "guest", "group_call_participant"));
        await using var _g = g;

        await RefusedAsync(h, "stage_request", null, 409); // a host joins without asking
        await RefusedAsync(h, "stage_grant", new { user_ids = new[] { "nobody" } }, 404);
        var unnamed = await h.RequestAsync("stage_grant", new { peer_ids = Array.Empty<string>() });
        Assert.Equal(400, unnamed.GetProperty("code").GetInt32());
        Assert.Contains("peer_ids", unnamed.GetProperty("message").GetString());

        // A group call has no stage: everyone is on it throughout, and leaving it is refused.
        Assert.Equal("ON_STAGE", gJoined.GetProperty("self").GetProperty("stage_status").GetString());
        Assert.False(gJoined.GetProperty("permissions").GetProperty("stage_enabled").GetBoolean());
        await RefusedAsync(g, "stage_leave", null, 409);

        // A host leaves the stage and comes back at will.
        await h.OkAsync("stage_leave");
        Assert.Equal("ON_STAGE", (await h.OkAsync("stage_join")).GetProperty("self").GetProperty("stage_status").GetString());
        Assert.Equal(hJoined.GetProperty("peer_id").GetString(), (await g.WaitForEventAsync("stage_updated", m => m.GetProperty("change").GetString() == "joined"))
            .GetProperty("peer").GetProperty("id").GetString());
    }

    private static (bool Enabled, string? Access, bool Accepts) Stage(JsonElement joined)
    {
        var permissions = joined.GetProperty("permissions");
        return (permissions.GetProperty("stage_enabled").GetBoolean(), permissions.GetProperty("stage_access").GetString(),
            permissions.GetProperty("accept_stage_requests").GetBoolean());
    }

    private static async Task ChangedAsync(RealtimeTestClient client, string peerId, string status, string change, string by)
    {
        var updated = await client.WaitForEventAsync("stage_updated", m => m.GetProperty("peer").GetProperty("id").GetString() == peerId && m.GetProperty("change").GetString() == change);
        Assert.Equal((status, by), (updated.GetProperty("peer").GetProperty("stage_status").GetString(), updated.GetProperty("by").GetString()));
    }

    private static async Task RefusedAsync(RealtimeTestClient client, string type, object? body, int code)
    {
        var answer = await client.RequestAsync(type, body);
        Assert.True(answer.GetProperty("type").GetString() == "error" && answer.GetProperty("code").GetInt32() == code, $"{type}: {answer}");
    }
}
