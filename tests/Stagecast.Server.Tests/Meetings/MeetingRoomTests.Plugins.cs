using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>Plugin stores in the room: each peer's writes are rated, stores hold only keys, and only changes are heard (in process, no socket).</summary>
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
            room.InsertPluginKeys(ada.Peer, "board", "strokes", [($"s{i}", One)]);
        }

        var refused = Assert.Throws<DomainException>(() => room.InsertPluginKeys(ada.Peer, "board", "strokes", [("late", One)]));
        Assert.Equal((DomainError.TooMany, $"a peer may write plugin stores {rate} times a second; slow down"), (refused.Error, refused.Message));
        Assert.Equal(DomainError.TooMany, Assert.Throws<DomainException>(() => room.DeletePluginKeys(ada.Peer, "board", "strokes", ["s0"])).Error);
        Assert.Empty(room.PluginStore("board", "strokes", ["late"]));

        // Another peer writes on; a second later Ada does too.
        room.InsertPluginKeys(bob.Peer, "board", "strokes", [("bob", One)]);
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        room.InsertPluginKeys(ada.Peer, "board", "strokes", [("late", One)]);
        Assert.Single(room.PluginStore("board", "strokes", ["late"]));
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
            room.InsertPluginKeys(peer, "notes", $"empty{i}", []);
            room.InsertPluginKeys(peer, "notes", $"emptied{i}", [("k", One)]);
            room.DeletePluginKeys(peer, "notes", $"emptied{i}", ["k"]);
        }

        room.InsertPluginKeys(peer, "notes", "kept", [("k", One)]);
        Assert.Single(room.PluginStore("notes", "kept", []));
        Assert.Equal(PluginLimits.MaxStores * 2 + 1, host.Heard<PluginStoreChanged>().Count); // each emptied store: set, deleted; then kept

        // Deleting keys that are not there, or wiping a store that is not, is heard by nobody.
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        room.DeletePluginKeys(peer, "notes", "kept", ["missing"]);
        room.DeletePluginStore(peer, "notes", "never");
        Assert.Equal(PluginLimits.MaxStores * 2 + 1, host.Heard<PluginStoreChanged>().Count);
        Assert.Empty(host.Heard<PluginStoreDropped>());
        room.DeletePluginStore(peer, "notes", "kept");
        Assert.Single(host.Heard<PluginStoreDropped>());
    }
}
