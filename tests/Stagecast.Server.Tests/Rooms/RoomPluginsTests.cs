using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Tests.Rooms;

/// <summary>The room's plugins alone, on a room of fake peers: who opens and closes them, their stores, their events and each peer's budgets.</summary>
[Trait("Category", "InProcess")]
public sealed class RoomPluginsTests
{
    private static readonly ReadOnlyMemory<byte> One = "1"u8.ToArray();
    private readonly TestRoom _room = new();

    [Fact]
    public void APluginIsOpenedAndClosedForEveryoneAsPresetsAllow()
    {
        var plugins = Plugins();
        var (host, hostHears) = _room.Add("Host");
        var (guest, guestHears) = _room.Add("Guest", "group_call_participant");

        var refused = Assert.Throws<DomainException>(() => plugins.Activate(guest, "board", "{}"u8.ToArray(), registered: null));
        Assert.Equal((DomainError.Forbidden, "your preset does not allow this (plugins.can_start)"), (refused.Error, refused.Message));
        var board = plugins.Activate(host, "board", "{}"u8.ToArray(), registered: null);
        Assert.Same(board, plugins.Activate(host, "board", "{}"u8.ToArray(), registered: null)); // open already: nothing changes
        Assert.Equal([board], guestHears.Heard<PluginActivated>().Select(a => a.Plugin));
        Assert.Equal(["board"], plugins.Active.Select(p => p.Id));

        // Its opener closes it, and anyone with plugins.can_close; not others.
        var closer = TestRoom.PresetOf("group_call_participant") with { PluginsCanStart = true };
        var (ada, _) = _room.Add("Ada", permissions: closer);
        plugins.Activate(ada, "notes", "{}"u8.ToArray(), registered: null);
        Assert.Equal(DomainError.Forbidden, Assert.Throws<DomainException>(() => plugins.Deactivate(guest, "notes")).Error);
        Assert.True(plugins.Deactivate(ada, "notes"));
        Assert.True(plugins.Deactivate(host, "board"));
        Assert.False(plugins.Deactivate(host, "board"));
        Assert.Equal([(ada.Id, "notes"), (host.Id, "board")], hostHears.Heard<PluginDeactivated>().Select(d => (d.By, d.PluginId)));

        for (int i = 0; i < PluginLimits.MaxActivePlugins; i++)
        {
            plugins.Activate(host, $"p{i}", "{}"u8.ToArray(), registered: null);
        }

        Assert.Equal(DomainError.TooMany, Assert.Throws<DomainException>(() => plugins.Activate(host, "one-more", "{}"u8.ToArray(), registered: null)).Error);
    }

    [Fact]
    public void AStoreIsWrittenWhileItsPluginIsOpenAndWipedOnlyByThoseWhoMay()
    {
        var plugins = Plugins();
        var (host, hostHears) = _room.Add("Host");
        var (guest, _) = _room.Add("Guest", "group_call_participant");
        var (viewer, _) = _room.Add("Viewer", "livestream_viewer");

        var closed = Assert.Throws<DomainException>(() => plugins.InsertKeys(guest, "board", "strokes", [("s1", One)]));
        Assert.Equal((DomainError.Conflict, "the plugin board is not open in this meeting"), (closed.Error, closed.Message));
        plugins.InsertKeys(guest, _room.MeetingId, "notes", [("text", "\"agenda\""u8.ToArray())]); // the meeting's own stores: always
        plugins.Activate(host, "board", "{}"u8.ToArray(), registered: null);
        plugins.InsertKeys(guest, "board", "strokes", [("s1", One), ("s2", One)]);
        Assert.Equal(DomainError.Forbidden, Assert.Throws<DomainException>(() => plugins.InsertKeys(viewer, "board", "strokes", [("v", One)])).Error);
        Assert.Equal(["s1", "s2"], plugins.Store("board", "strokes", []).Select(e => e.Key));
        Assert.Equal(["s2"], plugins.Store("board", "strokes", ["s2", "missing"]).Select(e => e.Key));

        // A guest deleting every key, some of them others', wipes the store: that needs plugins.can_edit_config.
        plugins.InsertKeys(host, "board", "strokes", [("h1", One)]);
        var wipe = Assert.Throws<DomainException>(() => plugins.DeleteKeys(guest, "board", "strokes", ["s1", "s2", "h1"]));
        Assert.Equal(DomainError.Forbidden, wipe.Error);
        plugins.DeleteKeys(guest, "board", "strokes", ["s1", "s2"]);
        Assert.Equal(DomainError.Forbidden, Assert.Throws<DomainException>(() => plugins.DeleteStore(guest, "board", "strokes")).Error);
        plugins.DeleteStore(host, "board", "strokes");
        Assert.Empty(plugins.Store("board", "strokes", []));
        Assert.Equal([false, false, false, true], hostHears.Heard<PluginStoreChanged>().Select(c => c.Deleted));
        Assert.Single(hostHears.Heard<PluginStoreDropped>());
    }

    [Fact]
    public void APeersWritesAreChargedByTheBytesTheySendEveryPeerAndEventsGoToTheChosen()
    {
        var plugins = Plugins(bytesPerSecond: 4096); // bursts of 16 KiB
        var (ada, adaHears) = _room.Add("Ada");
        var (bob, bobHears) = _room.Add("Bob");
        var (cy, cyHears) = _room.Add("Cy");
        plugins.Activate(ada, "board", "{}"u8.ToArray(), registered: null);

        plugins.SendEvent(ada, "board", One, to: new HashSet<string> { cy.Id });
        plugins.SendEvent(bob, "board", "2"u8.ToArray(), to: null);
        Assert.Equal(["2"], adaHears.Heard<PluginEventSent>().Select(e => System.Text.Encoding.UTF8.GetString(e.Data)));
        Assert.Equal([(true, ada.Id), (false, bob.Id)], cyHears.Heard<PluginEventSent>().Select(e => (e.ToChosenPeers, e.From)));
        Assert.DoesNotContain(bobHears.Heard<PluginEventSent>(), e => e.From == bob.Id);

        // 3 KiB a write reaches three peers (the writer too): 9 KiB; the second within the second is past the burst.
        var value = System.Text.Encoding.UTF8.GetBytes($"\"{new string('x', 3 * 1024 - 200)}\"");
        plugins.InsertKeys(bob, "board", "notes", [("a", value)]);
        var refused = Assert.Throws<DomainException>(() => plugins.InsertKeys(bob, "board", "notes", [("b", value)]));
        Assert.Equal(DomainError.TooMany, refused.Error);
        Assert.StartsWith("a peer's plugins may have 4096 bytes a second sent to the meeting's peers", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["a"], plugins.Store("board", "notes", []).Select(e => e.Key)); // nothing of the refused one kept
        plugins.InsertKeys(cy, "board", "notes", [("c", value)]); // each peer its own budget

        // One write larger than a burst is refused as too large, whatever the budget holds.
        var large = System.Text.Encoding.UTF8.GetBytes($"\"{new string('x', 6 * 1024)}\"");
        Assert.Equal(DomainError.TooLarge, Assert.Throws<DomainException>(() => plugins.InsertKeys(ada, "board", "notes", [("big", large)])).Error);
    }

    private RoomPlugins Plugins(int bytesPerSecond = 1024 * 1024) =>
        new(_room, new RoomOptions { PluginWritesPerSecond = 20, PluginBytesPerSecond = bytesPerSecond }, _room.Clock);
}
