using System.Net;
using System.Text.Json;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>The stage in the room: who is on it, who asks, and what hosts and the app do about it (in process, no socket).</summary>
public sealed partial class MeetingRoomTests
{
    [Fact]
    public async Task AnAttendeeAsksIsGrantedJoinsTheStageAndIsSentOffIt()
    {
        var (_, _, room, (host, hostPeer), (ada, adaPeer), (bob, bobPeer)) = await WebinarAsync();

        // The host enters on the stage, the attendees off it; off it, Ada may not unmute, nor join before a host lets her.
        Assert.Equal([StageStatus.OnStage, StageStatus.OffStage, StageStatus.OffStage], new[] { hostPeer, adaPeer, bobPeer }.Select(p => p.Stage));
        await AssertRefusedAsync(DomainError.Forbidden, "not on the stage", () => room.SetMutedAsync(adaPeer, audioEnabled: true, videoEnabled: null));
        await AssertRefusedAsync(DomainError.Forbidden, "has not let you on the stage", () => room.Stage.JoinAsync(adaPeer));

        // Ada asks: everyone hears it, only the host hears the requests, and a host entering now is shown them.
        Assert.Equal(StageStatus.Requested, await room.Stage.RequestAsync(adaPeer));
        Assert.Equal(StageStatus.Requested, await room.Stage.RequestAsync(adaPeer)); // asking again changes nothing
        Assert.Equal((adaPeer, StageStatus.Requested, StageChange.Requested, adaPeer), What(Assert.Single(bob.Heard<StageChanged>())));
        Assert.Equal([adaPeer], Assert.Single(host.Heard<StageRequestsChanged>()).Requests);
        Assert.Empty(bob.Heard<StageRequestsChanged>());
        Assert.Equal([adaPeer], (await room.StateForAsync(hostPeer)).StageRequests);
        Assert.Empty((await room.StateForAsync(bobPeer)).StageRequests);

        // Bob may not grant it; the host does, and Ada joins.
        await AssertRefusedAsync(DomainError.Forbidden, "accept_stage_requests", () => room.Stage.GrantAsync(bobPeer, p => p == adaPeer));
        Assert.Equal([adaPeer], await room.Stage.GrantAsync(hostPeer, p => p == adaPeer));
        Assert.Equal((adaPeer, StageStatus.Approved, StageChange.Granted, hostPeer), What(ada.Heard<StageChanged>()[^1]));
        Assert.Empty(host.Heard<StageRequestsChanged>()[^1].Requests);
        Assert.Equal(StageStatus.OnStage, await room.Stage.JoinAsync(adaPeer));
        Assert.Equal((StageStatus.OnStage, StageChange.Joined), (host.Heard<StageChanged>()[^1].Status, host.Heard<StageChanged>()[^1].Change));
        await room.SetMutedAsync(adaPeer, audioEnabled: true, videoEnabled: true);

        // A host may not deny a peer on the stage; it sends her off, and she may not unmute again.
        await AssertRefusedAsync(DomainError.Conflict, "Ada is on the stage", () => room.Stage.DenyAsync(hostPeer, p => p == adaPeer));
        await room.Stage.KickAsync(hostPeer, p => p == adaPeer);
        Assert.Equal((adaPeer, StageStatus.OffStage, StageChange.Kicked, hostPeer), What(bob.Heard<StageChanged>()[^1]));
        await AssertRefusedAsync(DomainError.Forbidden, "not on the stage", () => room.SetMutedAsync(adaPeer, audioEnabled: true, videoEnabled: null));

        // She asks again and is denied; she asks again and withdraws; she asks and leaves the meeting: each time the host
        // hears the requests go empty.
        await room.Stage.RequestAsync(adaPeer);
        await room.Stage.DenyAsync(hostPeer, p => p == adaPeer);
        Assert.Equal((StageStatus.OffStage, StageChange.Denied), (ada.Heard<StageChanged>()[^1].Status, ada.Heard<StageChanged>()[^1].Change));
        await room.Stage.RequestAsync(adaPeer);
        Assert.Equal(StageStatus.OffStage, await room.Stage.CancelRequestAsync(adaPeer));
        await room.Stage.RequestAsync(adaPeer);
        await room.LeaveAsync(adaPeer);
        Assert.Equal([1, 0, 1, 0, 1, 0, 1, 0], host.Heard<StageRequestsChanged>().Select(r => r.Requests.Count));

        // The host leaves the stage and joins it again at will.
        Assert.Equal(StageStatus.OffStage, await room.Stage.LeaveAsync(hostPeer));
        Assert.Equal(StageStatus.OnStage, await room.Stage.JoinAsync(hostPeer));
    }

    [Fact]
    public async Task PresetsDecideWhoMayTakeTheStageAndARefusedBatchChangesNobody()
    {
        var (api, meeting) = await MeetingAsync();
        (await api.PostAsync("/presets", """{"name":"audience","config":{"view_type":"WEBINAR"},"permissions":{"stage_access":"NOT_ALLOWED"}}""")).EnsureOk();
        var moderator = await GuestAsync(api, meeting, "moderator", "group_call_host");
        var host = await GuestAsync(api, meeting, "host", "webinar_host");
        var ada = await GuestAsync(api, meeting, "ada", "webinar_viewer");
        var carl = await GuestAsync(api, meeting, "carl", "audience");
        var moderatorIn = await EnterAsync(api, moderator, "Moderator");
        var hostIn = await EnterAsync(api, host, "Host");
        var adaIn = await EnterAsync(api, ada, "Ada");
        var carlIn = await EnterAsync(api, carl, "Carl");
        var room = hostIn.Room;
        var (moderatorPeer, hostPeer, adaPeer, carlPeer) = (moderatorIn.Peer, hostIn.Peer, adaIn.Peer, carlIn.Peer);

        // A group call's peer is on the stage throughout: joining changes nothing, leaving or asking is refused.
        Assert.Equal(StageStatus.OnStage, moderatorPeer.Stage);
        Assert.Equal(StageStatus.OnStage, await room.Stage.JoinAsync(moderatorPeer));
        await AssertRefusedAsync(DomainError.Conflict, "your preset has no stage", () => room.Stage.LeaveAsync(moderatorPeer));
        await AssertRefusedAsync(DomainError.Conflict, "Moderator's preset has no stage", () => room.Stage.KickAsync(hostPeer, p => p == moderatorPeer));

        // A host joins at will, so asks for nothing; Carl's preset allows no stage at all.
        await AssertRefusedAsync(DomainError.Conflict, "without asking", () => room.Stage.RequestAsync(hostPeer));
        Assert.Equal(StageStatus.OffStage, carlPeer.Stage);
        await AssertRefusedAsync(DomainError.Forbidden, "does not allow the stage", () => room.Stage.RequestAsync(carlPeer));

        // Granting Ada and Carl at once is refused for Carl, and Ada is left asking.
        await room.Stage.RequestAsync(adaPeer);
        await AssertRefusedAsync(DomainError.Forbidden, "Carl's preset does not allow the stage", () => room.Stage.GrantAsync(hostPeer, p => p == adaPeer || p == carlPeer));
        Assert.Equal(StageStatus.Requested, adaPeer.Stage);

        // The moderator's preset has no stage, so it accepts no requests; with kick_participant it sends others off.
        await AssertRefusedAsync(DomainError.Forbidden, "accept_stage_requests", () => room.Stage.GrantAsync(moderatorPeer, p => p == adaPeer));
        await room.Stage.GrantAsync(null, p => p == adaPeer); // the app may
        await room.Stage.JoinAsync(adaPeer);
        await room.Stage.KickAsync(moderatorPeer, p => p == adaPeer);
        Assert.Equal(StageStatus.OffStage, adaPeer.Stage);

        // A host may invite someone who did not ask; declining is leaving.
        await room.Stage.GrantAsync(hostPeer, p => p == adaPeer);
        Assert.Equal(StageStatus.Approved, adaPeer.Stage);
        Assert.Equal(StageStatus.OffStage, await room.Stage.LeaveAsync(adaPeer));
    }

    [Fact]
    public async Task TheAppSeesAndMovesTheStageOverRest()
    {
        var (api, meeting, room, (_, hostPeer), (ada, adaPeer), (_, bobPeer)) = await WebinarAsync();
        string stage = $"/meetings/{meeting}/active-session/stage";
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/meetings/{await api.CreateMeetingAsync()}/active-session/stage")).Status);
        await room.Stage.RequestAsync(adaPeer);

        var seen = (await api.GetAsync(stage)).EnsureOk().Data;
        Assert.Equal([hostPeer.Id], seen.GetProperty("on_stage").EnumerateArray().Select(p => p.GetProperty("peer_id").GetString()));
        var request = Assert.Single(seen.GetProperty("requests").EnumerateArray());
        Assert.Equal((ada.Participant.Id, "ada", "Ada", "REQUESTED"), (request.GetProperty("participant_id").GetString(), request.GetProperty("custom_participant_id").GetString(),
            request.GetProperty("name").GetString(), request.GetProperty("stage_status").GetString()));
        Assert.Equal(JsonValueKind.String, request.GetProperty("requested_at").ValueKind);
        Assert.Empty(seen.GetProperty("approved").EnumerateArray());

        // Bad requests name the problem; nobody matching is 404.
        var empty = await api.PostAsync($"{stage}/grant", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Contains("participant_ids", empty.ErrorMessage);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync($"{stage}/grant", """{"custom_participant_ids":["nobody"]}""")).Status);

        // The app grants Ada (her peers hear it was nobody in the room), invites Bob, then denies Bob and sends Ada off.
        var granted = (await api.PostAsync($"{stage}/grant", JsonSerializer.Serialize(new { participant_ids = new[] { ada.Participant.Id }, custom_participant_ids = new[] { "bob" } }))).EnsureOk().Data;
        Assert.Equal("grant", granted.GetProperty("action").GetString());
        Assert.Equal(["APPROVED", "APPROVED"], granted.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("stage_status").GetString()));
        Assert.Equal((StageChange.Granted, (RoomPeer?)null), (ada.Heard<StageChanged>()[^1].Change, ada.Heard<StageChanged>()[^1].By));
        Assert.Equal(2, (await api.GetAsync(stage)).EnsureOk().Data.GetProperty("approved").GetArrayLength());
        await room.Stage.JoinAsync(adaPeer);
        Assert.Equal("OFF_STAGE", (await api.PostAsync($"{stage}/deny", """{"custom_participant_ids":["bob"]}""")).EnsureOk().Data.GetProperty("participants")[0].GetProperty("stage_status").GetString());
        var onStage = await api.PostAsync($"{stage}/deny", """{"custom_participant_ids":["ada"]}""");
        Assert.Equal(HttpStatusCode.Conflict, onStage.Status);
        Assert.Contains("Ada is on the stage", onStage.ErrorMessage);
        (await api.PostAsync($"{stage}/kick", """{"custom_participant_ids":["ada"]}""")).EnsureOk();
        Assert.Equal(StageStatus.OffStage, adaPeer.Stage);
        Assert.Equal(StageStatus.OffStage, bobPeer.Stage);
    }

    /// <summary>A webinar's room: its host entered, then two attendees, Ada and Bob.</summary>
    private async Task<(StagecastApiClient Api, string Meeting, MeetingRoom Room, (Guest Guest, RoomPeer Peer) Host, (Guest Guest, RoomPeer Peer) Ada, (Guest Guest, RoomPeer Peer) Bob)> WebinarAsync()
    {
        var (api, meeting) = await MeetingAsync();
        List<(Guest, RoomPeer)> entered = [];
        MeetingRoom? room = null;
        foreach (var (name, preset) in new[] { ("Host", "webinar_host"), ("Ada", "webinar_viewer"), ("Bob", "webinar_viewer") })
        {
            var guest = await GuestAsync(api, meeting, name.ToLowerInvariant(), preset);
            var inside = await EnterAsync(api, guest, name);
            (room, entered) = (inside.Room, [.. entered, (guest, inside.Peer)]);
        }

        return (api, meeting, room!, entered[0], entered[1], entered[2]);
    }

    private static (RoomPeer Peer, StageStatus Status, StageChange Change, RoomPeer? By) What(StageChanged changed) => (changed.Peer, changed.Status, changed.Change, changed.By);

    private static async Task AssertRefusedAsync(DomainError error, string words, Func<Task> action)
    {
        var refused = await Assert.ThrowsAsync<DomainException>(action);
        Assert.Equal(error, refused.Error);
        Assert.Contains(words, refused.Message);
    }
}
