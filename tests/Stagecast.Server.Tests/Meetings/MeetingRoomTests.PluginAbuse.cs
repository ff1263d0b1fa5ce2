using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Plugins;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// Plugins attacked from inside the meeting (issue 67: F2, F4, F5), in process: a descriptor naming a web app, bytes that
/// are not UTF-8 JSON, writes fanned out to many peers, keys with empty values, a participant deleting every key, and
/// writes from a peer that sees no plugin.
/// </summary>
public sealed partial class MeetingRoomTests
{
    private static readonly byte[] NotUtf8 = [(byte)'"', 0xC3, 0x28, 0xFF, (byte)'"'];

    [Fact]
    public async Task ADescriptorNamesNoWebAppButThePluginsOwnAndAPageFramesOnlyWhatTheServerKnows()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host");
        var entered = await EnterAsync(api, host, "Host");
        var (room, peer) = (entered.Room, entered.Peer);

        // A plugin Stagecast does not know (a RealtimeKit 2.0.x app's own): its opener names no web app, by either name, once or twice.
        foreach (string descriptor in new[]
        {
            """{"id":"board","base_url":"javascript:parent.pwned=1//"}""", """{"baseURL":"https://evil.example/"}""",
            """{"base_url":"https://board.example/","base_url":"data:text/html,<script>parent.pwned=1</script>"}""",
        })
        {
            var refused = Assert.Throws<DomainException>(() => room.Plugins.Activate(peer, "board", Encoding.UTF8.GetBytes(descriptor), registered: null));
            Assert.Equal(DomainError.BadRequest, refused.Error);
            Assert.Contains("may name no web app", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal(DomainError.BadRequest, Assert.Throws<DomainException>(() => room.Plugins.Activate(peer, "board", "[]"u8.ToArray(), registered: null)).Error);
        Assert.Empty(room.Plugins.Active);
        Assert.Empty(host.Heard<PluginActivated>());
        Assert.Null(room.Plugins.Activate(peer, "board", """{"id":"board","name":"Board"}"""u8.ToArray(), registered: null).BaseUrl);

        // A registered plugin's web app is its registration's, which a descriptor may repeat but not change; Stagecast's
        // notes pad's is its path on this server.
        var notes = Registered(api, "https://notes.example/app");
        var changed = Assert.Throws<DomainException>(() => room.Plugins.Activate(peer, notes.Id, """{"base_url":"https://evil.example/app"}"""u8.ToArray(), notes));
        Assert.Equal("a plugin descriptor may name only the plugin's own web app (\"base_url\": https://notes.example/app)", changed.Message);
        Assert.Equal("https://notes.example/app", room.Plugins.Activate(peer, notes.Id, """{"base_url":"https://notes.example/app"}"""u8.ToArray(), notes).BaseUrl);
        Assert.Equal(StagecastPlugins.NotesPath, room.Plugins.Activate(peer, StagecastPlugins.NotesId, "{}"u8.ToArray(), registered: null).BaseUrl);

        // One registered before the rule, on plain http across a network, opens nowhere; on a loopback host it does.
        var intranet = Registered(api, "http://intranet.example/board");
        var old = Assert.Throws<DomainException>(() => room.Plugins.Activate(peer, intranet.Id, "{}"u8.ToArray(), intranet));
        Assert.Equal((DomainError.Conflict, $"plugin Board's base_url is not {PluginUrls.Rule}; the app must change it first (PATCH /plugins/{intranet.Id})"), (old.Error, old.Message));
        var local = Registered(api, "http://127.0.0.1:5173/");
        Assert.Equal("http://127.0.0.1:5173/", room.Plugins.Activate(peer, local.Id, "{}"u8.ToArray(), local).BaseUrl);
    }

    [Fact]
    public async Task BytesThatAreNotUtf8JsonAreRefusedWhereverTheyEnterTheRoomAndNothingIsKeptOrHeard()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host");
        var other = await GuestAsync(api, meeting, "other", "group_call_participant");
        var hostIn = await EnterAsync(api, host, "Host");
        await EnterAsync(api, other, "Other");
        var (room, peer) = (hostIn.Room, hostIn.Peer);
        room.Plugins.Activate(peer, "board", "{}"u8.ToArray(), registered: null);

        var value = Assert.Throws<DomainException>(() => room.Plugins.InsertKeys(peer, meeting, "notes", [("text", NotUtf8)]));
        Assert.Equal((DomainError.BadRequest, "a plugin store value must be UTF-8 text (\"text\" is not)"), (value.Error, value.Message));
        var notJson = Assert.Throws<DomainException>(() => room.Plugins.InsertKeys(peer, meeting, "notes", [("text", "agenda"u8.ToArray())]));
        Assert.Equal("a plugin store value must be JSON (\"text\" is not)", notJson.Message);
        var descriptor = Assert.Throws<DomainException>(() => room.Plugins.Activate(peer, "notes", (byte[])[.. "{\"name\":"u8, .. NotUtf8, .. "}"u8], registered: null));
        Assert.Equal("a plugin descriptor must be UTF-8 text (\"notes\" is not)", descriptor.Message);
        Assert.Equal(DomainError.BadRequest, Assert.Throws<DomainException>(() => room.Plugins.SendEvent(peer, "board", NotUtf8, to: null)).Error);

        // An app message's payload: not UTF-8 anywhere, under a key "type" or "id" too (once let through unread).
        foreach (byte[] payload in new byte[][] { [.. "{\"type\":{\"x\":"u8, .. NotUtf8, .. "}}"u8], [.. "{\"id\":["u8, .. NotUtf8, .. "]}"u8], [.. "{\"a\":"u8, .. NotUtf8, .. "}"u8] })
        {
            var message = Assert.Throws<DomainException>(() => AppMessage.Create("note", payload, peer, server.Clock.GetUtcNow()));
            Assert.Equal((DomainError.BadRequest, "the message's payload must be a JSON object"), (message.Error, message.Message));
        }

        Assert.Empty(room.Plugins.Store(meeting, "notes", []));
        Assert.Equal(["board"], room.Plugins.Active.Select(p => p.Id));
        Assert.Empty(other.Heard<PluginStoreChanged>());
        Assert.Empty(other.Heard<PluginEventSent>());
        Assert.Single(other.Heard<PluginActivated>());
    }

    [Fact]
    public async Task APeersPluginWritesAreChargedByWhatTheySendEveryPeer()
    {
        var (api, meeting) = await MeetingAsync();
        var ada = await EnterAsync(api, await GuestAsync(api, meeting, "ada"), "Ada");
        var bob = await EnterAsync(api, await GuestAsync(api, meeting, "bob", "group_call_participant"), "Bob");
        for (int i = 0; i < 8; i++)
        {
            await EnterAsync(api, await GuestAsync(api, meeting, $"listener{i}", "group_call_participant"), $"Listener {i}");
        }

        var room = ada.Room;
        var options = server.App.Services.GetRequiredService<IOptions<RoomOptions>>().Value;
        byte[] text = Encoding.UTF8.GetBytes($"\"{new string('a', PluginLimits.MaxValueBytes - 2)}\"");
        long perWrite = PluginLimits.CostOf("text", text.Length) * room.Peers.Count; // every peer hears it, the writer too
        long burst = (long)options.PluginBytesPerSecond * RoomOptions.PluginByteBurstSeconds;
        int passes = (int)(burst / perWrite);
        Assert.True(passes < options.PluginWritesPerSecond * 2, "the bytes, not the count of writes, must be what stops Ada");

        // Ada saves her 16 KiB note again and again: her burst of bytes passes, the next save is refused and not kept.
        for (int i = 0; i < passes; i++)
        {
            room.Plugins.InsertKeys(ada.Peer, meeting, "notes", [("text", text)]);
        }

        byte[] other = Encoding.UTF8.GetBytes($"\"{new string('b', PluginLimits.MaxValueBytes - 2)}\"");
        var refused = Assert.Throws<DomainException>(() => room.Plugins.InsertKeys(ada.Peer, meeting, "notes", [("text", other)]));
        Assert.Equal(DomainError.TooMany, refused.Error);
        Assert.StartsWith($"a peer's plugins may have {options.PluginBytesPerSecond} bytes a second sent to the meeting's peers", refused.Message, StringComparison.Ordinal);
        Assert.Equal(text, room.Plugins.Store(meeting, "notes", ["text"]).Single().Payload);

        // Bob writes on. A write larger than a whole burst is refused at once (413); Ada writes again once her budget has refilled.
        room.Plugins.InsertKeys(bob.Peer, meeting, "notes", [("cursor", "1"u8.ToArray())]);
        var many = Enumerable.Range(0, 40).Select(i => ($"k{i}", (ReadOnlyMemory<byte>)text)).ToList();
        Assert.Equal(DomainError.TooLarge, Assert.Throws<DomainException>(() => room.Plugins.InsertKeys(bob.Peer, meeting, "bulk", many)).Error);
        server.Clock.Advance(TimeSpan.FromSeconds((double)perWrite / options.PluginBytesPerSecond));
        room.Plugins.InsertKeys(ada.Peer, meeting, "notes", [("text", other)]);
    }

    [Fact]
    public async Task KeysCountTowardTheMeetingsBoundByTheirNamesAndOverheadWithEmptyValuesToo()
    {
        var (api, meeting) = await MeetingAsync();
        var ada = await EnterAsync(api, await GuestAsync(api, meeting, "ada"), "Ada");
        var room = ada.Room;

        // Keys of empty values, 100 a write, store after store: the meeting's bound stops them.
        int kept = 0;
        DomainException? refused = null;
        for (int write = 0; write < 200 && refused is null; write++)
        {
            server.Clock.Advance(TimeSpan.FromSeconds(1)); // within Ada's rates
            var keys = Enumerable.Range(0, 100).Select(i => ($"key-{write}-{i}", ReadOnlyMemory<byte>.Empty)).ToList();
            refused = Record.Exception(() => room.Plugins.InsertKeys(ada.Peer, meeting, $"store{write / 10}", keys)) as DomainException;
            kept += refused is null ? keys.Count : 0;
        }

        Assert.NotNull(refused);
        Assert.Equal((DomainError.TooLarge, $"the meeting's plugin stores may hold at most {PluginLimits.MaxBytesPerMeeting} bytes (keys, values and {PluginLimits.KeyOverheadBytes} a key); delete some first"),
            (refused.Error, refused.Message));
        Assert.InRange(kept, 1, PluginLimits.MaxBytesPerMeeting / PluginLimits.KeyOverheadBytes);

        // Deleting keys gives their room back.
        room.Plugins.DeleteStore(ada.Peer, meeting, "store0");
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        room.Plugins.InsertKeys(ada.Peer, meeting, "store0", [("again", ReadOnlyMemory<byte>.Empty)]);
    }

    [Fact]
    public async Task DeletingEveryKeyOthersWroteIsAWipeThatNeedsCanEditConfig()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await EnterAsync(api, await GuestAsync(api, meeting, "host"), "Host");
        var guest = await EnterAsync(api, await GuestAsync(api, meeting, "guest", "group_call_participant"), "Guest");
        var room = host.Room;
        room.Plugins.InsertKeys(host.Peer, meeting, "notes", [("title", One), ("text", One)]);

        // However the guest says it (both keys at once, or one and then the last), the store is not wiped.
        var all = Assert.Throws<DomainException>(() => room.Plugins.DeleteKeys(guest.Peer, meeting, "notes", ["title", "text", "title"]));
        Assert.Equal((DomainError.Forbidden, "deleting every key of a store wipes it: your preset does not allow this (plugins.can_edit_config)"), (all.Error, all.Message));
        room.Plugins.DeleteKeys(guest.Peer, meeting, "notes", ["title"]);
        Assert.Equal(DomainError.Forbidden, Assert.Throws<DomainException>(() => room.Plugins.DeleteKeys(guest.Peer, meeting, "notes", ["text"])).Error);
        Assert.Equal(["text"], room.Plugins.Store(meeting, "notes", []).Select(k => k.Key));

        // Its own keys it deletes, every one; the host wipes any.
        room.Plugins.InsertKeys(guest.Peer, meeting, "mine", [("draft", One)]);
        room.Plugins.DeleteKeys(guest.Peer, meeting, "mine", ["draft"]);
        room.Plugins.DeleteKeys(host.Peer, meeting, "notes", ["text"]);
        Assert.Empty(room.Plugins.Store(meeting, "notes", []));
    }

    [Fact]
    public async Task OnlyAPeerThatSeesAnOpenPluginWritesToItOrSendsItsEvents()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await EnterAsync(api, await GuestAsync(api, meeting, "host"), "Host");
        var viewer = await EnterAsync(api, await GuestAsync(api, meeting, "viewer", "livestream_viewer"), "Viewer");
        var room = host.Room;

        // A closed plugin's stores take no writes; the meeting's own stores (RealtimeKit 2.0.x's meeting.stores) do.
        var closed = Assert.Throws<DomainException>(() => room.Plugins.InsertKeys(host.Peer, "board", "strokes", [("s", One)]));
        Assert.Equal((DomainError.Conflict, "the plugin board is not open in this meeting"), (closed.Error, closed.Message));
        room.Plugins.InsertKeys(host.Peer, meeting, "strokes", [("s", One)]);
        room.Plugins.Activate(host.Peer, "board", "{}"u8.ToArray(), registered: null);
        room.Plugins.InsertKeys(host.Peer, "board", "strokes", [("s", One)]);

        // A livestream's viewer off the stage sees no plugin (RealtimeKit's UI kit shows it none): it writes nowhere.
        foreach (Action write in new Action[]
        {
            () => room.Plugins.InsertKeys(viewer.Peer, "board", "strokes", [("v", One)]),
            () => room.Plugins.InsertKeys(viewer.Peer, meeting, "strokes", [("v", One)]),
            () => room.Plugins.DeleteKeys(viewer.Peer, "board", "strokes", ["s"]),
            () => room.Plugins.SendEvent(viewer.Peer, "board", One, to: null),
        })
        {
            var refused = Assert.Throws<DomainException>(write);
            Assert.Equal((DomainError.Forbidden, "a livestream's viewer sees no plugins: it may write to them once on the stage"), (refused.Error, refused.Message));
        }

        Assert.Equal(["s"], room.Plugins.Store("board", "strokes", []).Select(k => k.Key));
    }

    /// <summary>A plugin the app registered (as <c>POST /plugins</c> keeps it, its URL unchecked as one stored before a rule would be).</summary>
    private static Plugin Registered(Stagecast.Testing.StagecastApiClient api, string baseUrl) =>
        new(Guid.NewGuid().ToString(), api.AppId, "Board", "", null, baseUrl, [], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
}
