using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Tests.Rooms;

/// <summary>The room's stage alone, on a room of fake webinar peers: requests, grants, joins, kicks, and who hears what.</summary>
[Trait("Category", "InProcess")]
public sealed class RoomStageTests
{
    private readonly TestRoom _room = new();
    private readonly List<RoomPeer> _leftStage = [];

    [Fact]
    public async Task AnAttendeeAsksIsGrantedJoinsAndIsSentOffWhatItProducedEndingThen()
    {
        var stage = Stage();
        var (host, hostHears) = _room.Add("Host", "webinar_host");
        var (ada, adaHears) = _room.Add("Ada", "webinar_viewer");
        var (_, bobHears) = _room.Add("Bob", "webinar_viewer");
        Assert.Equal([StageStatus.OnStage, StageStatus.OffStage], new[] { host.Stage, ada.Stage });

        Assert.Equal(StageStatus.Requested, await stage.RequestAsync(ada));
        Assert.Equal(StageStatus.Requested, await stage.RequestAsync(ada)); // again: nothing changes
        Assert.Equal([ada], stage.Requests);
        Assert.Equal([ada], Assert.Single(hostHears.Heard<StageRequestsChanged>()).Requests);
        Assert.Empty(bobHears.Heard<StageRequestsChanged>()); // the requests go to hosts
        Assert.Equal((ada, StageStatus.Requested, StageChange.Requested, ada), What(Assert.Single(bobHears.Heard<StageChanged>())));

        Assert.Equal([ada], await stage.GrantAsync(host, p => p == ada));
        Assert.Equal((StageStatus.Approved, host), (adaHears.Heard<StageChanged>()[^1].Status, adaHears.Heard<StageChanged>()[^1].By));
        Assert.Equal(StageStatus.OnStage, await stage.JoinAsync(ada));
        Assert.Empty(_leftStage);

        await stage.KickAsync(null, p => p == ada); // the app's (REST)
        Assert.Equal((ada, StageStatus.OffStage, StageChange.Kicked, (RoomPeer?)null), What(bobHears.Heard<StageChanged>()[^1]));
        Assert.Equal([ada], _leftStage); // what it produced ends at once
        Assert.Equal(StageStatus.OffStage, await stage.LeaveAsync(host));
        Assert.Equal([ada, host], _leftStage);
        Assert.Equal(StageStatus.OnStage, await stage.JoinAsync(host)); // a host joins again at will
        Assert.Equal([1, 0], hostHears.Heard<StageRequestsChanged>().Select(r => r.Requests.Count));
    }

    [Fact]
    public async Task WhatAPresetOrAPlaceDoesNotAllowIsRefusedBeforeAnyChange()
    {
        var stage = Stage();
        var (host, _) = _room.Add("Host", "webinar_host");
        var (ada, _) = _room.Add("Ada", "webinar_viewer");
        var (bob, bobHears) = _room.Add("Bob", "webinar_viewer");
        var (never, _) = _room.Add("Never", permissions: TestRoom.PresetOf("webinar_viewer") with { StageAccess = PresetAccess.NotAllowed });
        var (call, _) = _room.Add("Call", "group_call_participant");
        var (other, _) = _room.Add("Other", "webinar_host");

        await AssertRefusedAsync(DomainError.Forbidden, "a host has not let you on the stage", () => stage.JoinAsync(ada));
        await AssertRefusedAsync(DomainError.Conflict, "join it", () => stage.RequestAsync(host)); // ALLOWED: joins without asking
        await AssertRefusedAsync(DomainError.Forbidden, "stage_access NOT_ALLOWED", () => stage.RequestAsync(never));
        await AssertRefusedAsync(DomainError.Conflict, "preset has no stage", () => stage.LeaveAsync(call));
        Assert.Equal(StageStatus.OnStage, await stage.JoinAsync(call)); // on it throughout
        await AssertRefusedAsync(DomainError.Forbidden, "accept_stage_requests", () => stage.GrantAsync(bob, p => p == ada));
        await AssertRefusedAsync(DomainError.Conflict, "Other is on the stage: send them off it instead", () => stage.DenyAsync(host, p => p == ada || p == other));
        Assert.Equal(StageStatus.OffStage, ada.Stage); // the batch changed nobody
        Assert.Empty(bobHears.Heard<StageChanged>());
        Assert.Equal(StageStatus.OffStage, RoomStage.EntryStage(never.Permissions));
        Assert.Throws<DomainException>(() => RoomStage.RequireOnStage(ada));
        RoomStage.RequireOnStage(call);
    }

    [Fact]
    public async Task APeerThatLeftTheRoomIsMovedNoMoreAndTheHostsHearItsRequestGoAHiddenOnesOnlyByItself()
    {
        var stage = Stage();
        var (host, hostHears) = _room.Add("Host", "webinar_host");
        var (ada, _) = _room.Add("Ada", "webinar_viewer");
        var (ghost, ghostHears) = _room.Add("Ghost", permissions: TestRoom.PresetOf("webinar_viewer") with { HiddenParticipant = true });

        await stage.RequestAsync(ghost);
        Assert.Equal(StageStatus.Requested, ghostHears.Heard<StageChanged>().Single().Status);
        Assert.Empty(hostHears.Heard<StageChanged>());
        Assert.Empty(stage.Requests);

        await stage.RequestAsync(ada);
        _room.Remove(ada);
        await stage.PeerLeftAsync(ada);
        Assert.Equal([0, 1, 0], hostHears.Heard<StageRequestsChanged>().Select(r => r.Requests.Count)); // the hidden one's in none
        Assert.Equal(StageStatus.Requested, await stage.CancelRequestAsync(ada)); // gone: left as it was
        Assert.Empty(await stage.GrantAsync(host, p => p == ada));
    }

    private RoomStage Stage() => new(_room, _leftStage.Add, _room.Clock);

    private static (RoomPeer, StageStatus, StageChange, RoomPeer?) What(StageChanged change) => (change.Peer, change.Status, change.Change, change.By);

    private static async Task AssertRefusedAsync<T>(DomainError error, string message, Func<Task<T>> act)
    {
        var refused = await Assert.ThrowsAsync<DomainException>(act);
        Assert.Equal(error, refused.Error);
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }
}
