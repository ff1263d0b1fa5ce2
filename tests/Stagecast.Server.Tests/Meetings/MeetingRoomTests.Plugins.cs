using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// Plugins in the room (in process, no socket): each peer's writes are rated by count and by the bytes they send
/// everyone, keys count toward the meeting's bound, stores hold only keys and only changes are heard; only a peer that
/// sees an open plugin writes to it, and deleting every key others wrote is a wipe; what enters is UTF-8 JSON, and a
/// descriptor names no web app but the plugin's own.
/// </summary>
public sealed partial class MeetingRoomTests
{
    private static readonly ReadOnlyMemory<byte> One = "1"u8.ToArray();

    [Fact]
    public async Task APeersPluginStoreWritesAreRatedOnTheClock()
    {
        var (api, meeting) = await MeetingAsync();
        var ada = await EnterAsync(api, await GuestAsync(api, meeting, "ada"), "Ada");
        var bob = await EnterAsync(api, await GuestAsync(api, meeting, "bob"), "Bob");
        var room = ada.Room;
        int rate = server.App.Services.GetRequiredService<IOptions<RoomOptions>>().Value.PluginWritesPerSecond;

        // A burst of twice the rate passes; the next write (set or delete) is refused and nothing of it kept.
        for (int i = 0; i < rate * 2; i++)
        {
            room.Plugins.InsertKeys(ada.Peer, meeting, "strokes", [($"s{i}", One)]);
        }

        var refused = Assert.Throws<DomainException>(() => room.Plugins.InsertKeys(ada.Peer, meeting, "strokes", [("late", One)]));
        Assert.Equal((DomainError.TooMany, $"a peer may send plugin events and write plugin stores {rate} times a second; slow down"), (refused.Error, refused.Message));
        Assert.Equal(DomainError.TooMany, Assert.Throws<DomainException>(() => room.Plugins.DeleteKeys(ada.Peer, meeting, "strokes", ["s0"])).Error);
        Assert.Empty(room.Plugins.Store(meeting, "strokes", ["late"]));

        // Another peer writes on; a second later Ada does too.
        room.Plugins.InsertKeys(bob.Peer, meeting, "strokes", [("bob", One)]);
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        room.Plugins.InsertKeys(ada.Peer, meeting, "strokes", [("late", One)]);
        Assert.Single(room.Plugins.Store(meeting, "strokes", ["late"]));
    }

    [Fact]
    public async Task OnlyStoresWithKeysCountAndOnlyChangesAreHeard()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host");
        var entered = await EnterAsync(api, host, "Host");
        var (room, peer) = (entered.Room, entered.Peer);

        // Writing no keys makes no store; a store whose keys are all deleted is gone: neither counts toward the bound.
        for (int i = 0; i < PluginLimits.MaxStores; i++)
        {
            server.Clock.Advance(TimeSpan.FromSeconds(1)); // within the peer's write rate
            room.Plugins.InsertKeys(peer, meeting, $"empty{i}", []);
            room.Plugins.InsertKeys(peer, meeting, $"emptied{i}", [("k", One)]);
            room.Plugins.DeleteKeys(peer, meeting, $"emptied{i}", ["k"]);
        }

        room.Plugins.InsertKeys(peer, meeting, "kept", [("k", One)]);
        Assert.Single(room.Plugins.Store(meeting, "kept", []));
        Assert.Equal(PluginLimits.MaxStores * 2 + 1, host.Heard<PluginStoreChanged>().Count); // each emptied store: set, deleted; then kept

        // Deleting keys that are not there, or wiping a store that is not, is heard by nobody.
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        room.Plugins.DeleteKeys(peer, meeting, "kept", ["missing"]);
        room.Plugins.DeleteStore(peer, meeting, "never");
        Assert.Equal(PluginLimits.MaxStores * 2 + 1, host.Heard<PluginStoreChanged>().Count);
        Assert.Empty(host.Heard<PluginStoreDropped>());
        room.Plugins.DeleteStore(peer, meeting, "kept");
        Assert.Single(host.Heard<PluginStoreDropped>());
    }

    [Fact]
    public async Task APluginsOwnEventsReachTheOtherPeersOrTheChosenOnesOfAnOpenPluginAtTheStoresRate()
    {
        var (api, meeting) = await MeetingAsync();
        var ada = await GuestAsync(api, meeting, "ada");
        var bob = await GuestAsync(api, meeting, "bob", "group_call_participant");
        var cy = await GuestAsync(api, meeting, "cy", "group_call_participant");
        var adaIn = await EnterAsync(api, ada, "Ada");
        var bobIn = await EnterAsync(api, bob, "Bob");
        var cyIn = await EnterAsync(api, cy, "Cy");
        var room = adaIn.Room;
        int rate = server.App.Services.GetRequiredService<IOptions<RoomOptions>>().Value.PluginWritesPerSecond;

        var closed = Assert.Throws<DomainException>(() => room.Plugins.SendEvent(bobIn.Peer, "board", One, to: null));
        Assert.Equal((DomainError.Conflict, "the plugin board is not open in this meeting"), (closed.Error, closed.Message));
        room.Plugins.Activate(adaIn.Peer, "board", "{}"u8.ToArray(), registered: null);

        // To the room: every peer but its sender; to chosen peers: those only.
        room.Plugins.SendEvent(bobIn.Peer, "board", One, to: null);
        room.Plugins.SendEvent(bobIn.Peer, "board", "2"u8.ToArray(), new HashSet<string> { cyIn.Peer.Id });
        var toAda = Assert.Single(ada.Heard<PluginEventSent>());
        Assert.Equal(("board", "1", bobIn.Peer.Id, false), (toAda.PluginId, System.Text.Encoding.UTF8.GetString(toAda.Data), toAda.From, toAda.ToChosenPeers));
        Assert.Equal([(false, "1"), (true, "2")], cy.Heard<PluginEventSent>().Select(e => (e.ToChosenPeers, System.Text.Encoding.UTF8.GetString(e.Data))));
        Assert.Empty(bob.Heard<PluginEventSent>());

        // Events and store writes share the peer's rate: past the burst both are refused, a second later both pass.
        for (int i = 2; i < rate * 2; i++)
        {
            room.Plugins.SendEvent(bobIn.Peer, "board", One, to: null);
        }

        var refused = Assert.Throws<DomainException>(() => room.Plugins.SendEvent(bobIn.Peer, "board", One, to: null));
        Assert.Equal((DomainError.TooMany, $"a peer may send plugin events and write plugin stores {rate} times a second; slow down"), (refused.Error, refused.Message));
        Assert.Equal(DomainError.TooMany, Assert.Throws<DomainException>(() => room.Plugins.InsertKeys(bobIn.Peer, "board", "strokes", [("s", One)])).Error);
        Assert.Equal(rate * 2 - 1, ada.Heard<PluginEventSent>().Count);
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        room.Plugins.SendEvent(bobIn.Peer, "board", One, to: null);
        Assert.Equal(rate * 2, ada.Heard<PluginEventSent>().Count);
    }
}
