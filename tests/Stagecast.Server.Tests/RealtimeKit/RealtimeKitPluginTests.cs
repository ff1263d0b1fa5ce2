using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Plugins;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Plugins over RealtimeKit's socket, spoken directly (no SDK): a host opens a plugin through the SDK's
/// <c>__rtk_plugins__</c> store and every peer hears it, a late joiner reads it and the plugin's shared store at init;
/// closing reaches everyone; presets' <c>plugins.can_start</c>, <c>can_close</c> and <c>can_edit_config</c> hold on the
/// server; stores are bounded and the bound named; a 1.5.x client opens a registered plugin (plugin events 0, 1, 6) as
/// the plugin's presets allow, and its frames' own events (plugin events 7, 8) pass between the peers. The plugin
/// registry's REST, and the 1.5.x client's, beside it.
/// </summary>
[Trait("Category", "StoreContract")]
public sealed class RealtimeKitPluginTests : RealtimeKitSocketTests
{
    private const string Active = "__rtk_plugins__";

    [Fact]
    public async Task AHostOpensAPluginForEveryoneAndALateJoinerFindsItAndItsNotes()
    {
        string meeting = await Api.CreateMeetingAsync();
        var host = await Api.AddParticipantAsync(meeting, "host", "group_call_host");
        var guest = await Api.AddParticipantAsync(meeting, "guest", "group_call_participant");
        var late = await Api.AddParticipantAsync(meeting, "late", "group_call_participant");
        await using var hostSocket = await JoinAsync(host.Token);
        await using var guestSocket = await JoinAsync(guest.Token);
        string plugin = $"{meeting}:notes";

        // The guest's preset may not open plugins: refused, and its screen told the plugin is not open.
        var refused = await guestSocket.RequestAsync(Events.Plugins.StoreInsertKeys, Insert(meeting, Active, plugin, """{"id":"x"}"""));
        Assert.Equal("your preset does not allow this (plugins.can_start)", ErrorMessage.Parser.ParseFrom(refused.Payload).Message);
        Assert.Equal("null", Value(await guestSocket.WaitForAsync(m => m.Event == Events.Plugins.StoreInsertKeys && Items(m).Any(i => i.StoreKey == plugin)), plugin));

        string descriptor = $$"""{"name":"Notes","id":"{{plugin}}","enabledBy":"{{hostSocket.PeerId}}"}""";
        hostSocket.Send(Events.Plugins.StoreInsertKeys, Insert(meeting, Active, plugin, descriptor), out var opened);
        await opened;
        var heard = await guestSocket.WaitForAsync(m => m.Event == Events.Plugins.StoreInsertKeys && Value(m, plugin) == descriptor);
        Assert.Equal(meeting, PluginStoreResponse.Parser.ParseFrom(heard.Payload).PluginId);
        var own = await hostSocket.WaitForAsync(m => m.Event == Events.Plugins.StoreInsertKeys && Value(m, plugin) == descriptor);
        Assert.Equal(hostSocket.PeerId, Items(own).Single().PeerId); // the writer's SDK skips its own write

        guestSocket.Send(Events.Plugins.StoreInsertKeys, Insert(meeting, "notes", "text", "\"hello from the guest\""), out var wrote);
        await wrote;
        await hostSocket.WaitForAsync(m => m.Event == Events.Plugins.StoreInsertKeys && Value(m, "text") == "\"hello from the guest\"");

        // A late joiner finds the plugin open at init, before it joins, as the SDK reads it; its notes once it is in.
        await using var lateSocket = await ConnectAsync(late.Token);
        var open = await lateSocket.RequestAsync(Events.Plugins.StoreGetKeys, new PluginStoreGetKeysRequest { PluginId = meeting, StoreName = Active });
        Assert.Equal(descriptor, Value(open, plugin));
        Assert.Empty(Items(await lateSocket.RequestAsync(Events.Plugins.StoreGetKeys, new PluginStoreGetKeysRequest { PluginId = meeting, StoreName = "notes" })));
        Assert.False(RealtimeKitSocketClient.IsError(await lateSocket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest())));
        var notes = await lateSocket.RequestAsync(Events.Plugins.StoreGetKeys, new PluginStoreGetKeysRequest { PluginId = meeting, StoreName = "notes" });
        Assert.Equal("\"hello from the guest\"", Value(notes, "text"));

        // Only a host wipes a store; the guest may not close the host's plugin; the host closes it for everyone.
        var wipe = await guestSocket.RequestAsync(Events.Plugins.StoreDelete, new PluginStoreDeleteRequest { PluginId = meeting, StoreName = "notes" });
        Assert.Equal("your preset does not allow this (plugins.can_edit_config)", ErrorMessage.Parser.ParseFrom(wipe.Payload).Message);
        var close = await guestSocket.RequestAsync(Events.Plugins.StoreInsertKeys, Insert(meeting, Active, plugin, "null"));
        Assert.Contains("plugins.can_close", ErrorMessage.Parser.ParseFrom(close.Payload).Message, StringComparison.Ordinal);
        hostSocket.Send(Events.Plugins.StoreInsertKeys, Insert(meeting, Active, plugin, "null"), out var closed);
        await closed;
        await guestSocket.WaitForAsync(m => m.Event == Events.Plugins.StoreInsertKeys && Value(m, plugin) == "null" && Items(m).Single().PeerId != "");
        var after = await lateSocket.RequestAsync(Events.Plugins.StoreGetKeys, new PluginStoreGetKeysRequest { PluginId = meeting, StoreName = Active });
        Assert.Empty(Items(after));
    }

    [Fact]
    public async Task PluginStoresAreBoundedAndTheBoundNamed()
    {
        string meeting = await Api.CreateMeetingAsync();
        var host = await Api.AddParticipantAsync(meeting, "host", "group_call_host");
        await using var socket = await JoinAsync(host.Token);

        var big = await socket.RequestAsync(Events.Plugins.StoreInsertKeys, Insert(meeting, "notes", "text", $"\"{new string('a', PluginLimits.MaxValueBytes)}\""));
        var error = ErrorMessage.Parser.ParseFrom(big.Payload);
        Assert.Equal((413, $"a plugin store value may be at most {PluginLimits.MaxValueBytes} bytes (\"text\" has {PluginLimits.MaxValueBytes + 2})"), (error.Code, error.Message));
        var key = await socket.RequestAsync(Events.Plugins.StoreInsertKeys, Insert(meeting, "notes", new string('k', PluginLimits.MaxNameLength + 1), "1"));
        Assert.Equal($"a plugin key must be 1 to {PluginLimits.MaxNameLength} characters", ErrorMessage.Parser.ParseFrom(key.Payload).Message);

        var many = new PluginStoreInsertKeysRequest { PluginId = meeting, StoreName = "notes" };
        many.InsertKeys.AddRange(Enumerable.Range(0, PluginLimits.MaxKeysPerStore + 1).Select(i => new StoreKeys { StoreKey = $"k{i}", Payload = ByteString.CopyFromUtf8("1") }));
        var full = await socket.RequestAsync(Events.Plugins.StoreInsertKeys, many);
        Assert.Equal($"a plugin store may hold at most {PluginLimits.MaxKeysPerStore} keys; delete some first", ErrorMessage.Parser.ParseFrom(full.Payload).Message);
        var store = await socket.RequestAsync(Events.Plugins.StoreGetKeys, new PluginStoreGetKeysRequest { PluginId = meeting, StoreName = "notes" });
        Assert.Empty(Items(store)); // nothing of a refused write is kept
    }

    [Fact]
    public async Task AnAppRegistersPluginsAndItsParticipantsListThemAsTheirPresetsAllow()
    {
        // Every page of the meeting frames its web app: https://, or http:// on a loopback host only.
        foreach (string url in new[] { "javascript:alert(1)", "data:text/html,hi", "http://notes.example/", "https://user:secret@notes.example/" })
        {
            var bad = await Api.PostAsync("/plugins", new JsonObject { ["name"] = "Notes", ["base_url"] = url }.ToJsonString());
            Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
            Assert.Contains("\"base_url\" must be an https:// URL (http:// only on a loopback host) without credentials", bad.ErrorMessage, StringComparison.Ordinal);
        }

        string local = (await Api.PostAsync("/plugins", """{"name":"Local","base_url":"http://localhost:5173/"}""")).EnsureOk().Data.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.SendAsync(HttpMethod.Patch, $"/plugins/{local}", """{"base_url":"http://192.168.1.20:5173/"}""")).Status);
        (await Api.SendAsync(HttpMethod.Delete, $"/plugins/{local}")).EnsureOk();
        var created = (await Api.PostAsync("/plugins", """{"name":"Notes","description":"A shared notes pad","base_url":"https://notes.example/","presets":["group_call_host"]}""")).EnsureOk().Data;
        string id = created.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Conflict, (await Api.PostAsync("/plugins", """{"name":"Notes","base_url":"https://other.example/"}""")).Status);
        var changed = (await Api.SendAsync(HttpMethod.Patch, $"/plugins/{id}", """{"picture":"https://notes.example/icon.png"}""")).EnsureOk().Data;
        Assert.Equal(("https://notes.example/icon.png", "https://notes.example/"), (changed.GetProperty("picture").GetString(), changed.GetProperty("base_url").GetString()));
        Assert.Equal(1, (await Api.GetAsync("/plugins")).EnsureOk().Body.GetProperty("data").GetArrayLength());

        string meeting = await Api.CreateMeetingAsync();
        var host = await Api.AddParticipantAsync(meeting, "host", "group_call_host");
        var guest = await Api.AddParticipantAsync(meeting, "guest", "group_call_participant");
        var (status, listed) = await CallAsync(HttpMethod.Get, "/v2/plugins/user", host.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        var plugin = listed.GetProperty("data").GetProperty("plugins").EnumerateArray().Single();
        Assert.Equal((id, "Notes", "https://notes.example/", true), (plugin.GetProperty("id").GetString(), plugin.GetProperty("name").GetString(),
            plugin.GetProperty("baseURL").GetString(), plugin.GetProperty("can_start").GetBoolean()));
        var (_, forGuest) = await CallAsync(HttpMethod.Get, "/v2/plugins/user", guest.Token);
        Assert.False(forGuest.GetProperty("data").GetProperty("plugins")[0].GetProperty("can_start").GetBoolean());

        var (authorized, token) = await CallAsync(HttpMethod.Post, $"/v2/plugins/authorize/{id}", guest.Token, "{}");
        Assert.Equal(HttpStatusCode.OK, authorized);
        Assert.Matches("^[0-9A-Za-z]{32}$", token.GetProperty("data").GetProperty("token").GetString()!);
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(HttpMethod.Post, "/v2/plugins/authorize/nope", guest.Token, "{}")).Status);

        (await Api.SendAsync(HttpMethod.Delete, $"/plugins/{id}")).EnsureOk();
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/plugins/{id}")).Status);
    }

    [Fact]
    public async Task A15ClientOpensARegisteredPluginForEveryoneAsItsPluginSaysWhichPresetsMay()
    {
        string notes = await RegisterAsync("Notes", "https://notes.example/");
        string board = await RegisterAsync("Board", "https://board.example/", "webinar_host");
        string meeting = await Api.CreateMeetingAsync();
        var host = await Api.AddParticipantAsync(meeting, "host", "group_call_host");
        var guest = await Api.AddParticipantAsync(meeting, "guest", "group_call_participant");
        await using var hostSocket = await JoinAsync(host.Token);
        await using var guestSocket = await JoinAsync(guest.Token);

        var notForHost = await hostSocket.RequestAsync(Events.Plugins.AddPlugin, new AddPluginRequest { PluginId = board });
        Assert.Equal("plugin Board may be started by the presets webinar_host only", ErrorMessage.Parser.ParseFrom(notForHost.Payload).Message);
        Assert.Equal(404, ErrorMessage.Parser.ParseFrom((await hostSocket.RequestAsync(Events.Plugins.AddPlugin, new AddPluginRequest { PluginId = "nope" })).Payload).Code);
        Assert.Contains("plugins.can_start", ErrorMessage.Parser.ParseFrom((await guestSocket.RequestAsync(Events.Plugins.AddPlugin, new AddPluginRequest { PluginId = notes })).Payload).Message, StringComparison.Ordinal);

        // Every client opens it on the push, the opener's too (1.5.x opens nothing on its own).
        hostSocket.Send(Events.Plugins.AddPlugin, new AddPluginRequest { PluginId = notes }, out var added);
        await added;
        foreach (var socket in new[] { hostSocket, guestSocket })
        {
            var push = await socket.WaitForAsync(m => m.Event == Events.Plugins.AddPlugin);
            Assert.Equal(notes, EnablePluginResponse.Parser.ParseFrom(push.Payload).PluginId);
        }

        var open = EnablePluginsResponse.Parser.ParseFrom((await guestSocket.RequestAsync(Events.Plugins.GetPlugins, new AddPluginRequest())).Payload);
        Assert.Equal([notes], open.Plugins.Select(p => p.PluginId));
        hostSocket.Send(Events.Plugins.RemovePlugin, new RemovePluginRequest { PluginId = notes }, out var removed);
        await removed;
        Assert.Equal(notes, DisablePluginResponse.Parser.ParseFrom((await guestSocket.WaitForAsync(m => m.Event == Events.Plugins.RemovePlugin)).Payload).PluginId);
    }

    [Fact]
    public async Task A15PluginsOwnEventsPassToTheOtherPeersOrTheChosenOnesOfAnOpenPluginWithinBounds()
    {
        string notes = await RegisterAsync("Notes", "https://notes.example/");
        string meeting = await Api.CreateMeetingAsync();
        var host = await Api.AddParticipantAsync(meeting, "host", "group_call_host");
        var guest = await Api.AddParticipantAsync(meeting, "guest", "group_call_participant");
        var other = await Api.AddParticipantAsync(meeting, "other", "group_call_participant");
        await using var hostSocket = await JoinAsync(host.Token);
        await using var guestSocket = await JoinAsync(guest.Token);
        await using var otherSocket = await JoinAsync(other.Token);

        var early = await guestSocket.RequestAsync(Events.Plugins.CustomPluginEventToRoom, ToRoom(notes, """{"cursor":1}"""));
        Assert.Equal((409, $"the plugin {notes} is not open in this meeting"), Error(early));
        hostSocket.Send(Events.Plugins.AddPlugin, new AddPluginRequest { PluginId = notes }, out var added);
        await added;
        var opened = EnablePluginResponse.Parser.ParseFrom((await guestSocket.WaitForAsync(m => m.Event == Events.Plugins.AddPlugin)).Payload);

        // To the room: the others' frames get it as the SDK pushes it (plugin id, the JSON as sent).
        guestSocket.Send(Events.Plugins.CustomPluginEventToRoom, ToRoom(notes, """{"cursor":1}"""), out var sent);
        await sent;
        foreach (var socket in new[] { hostSocket, otherSocket })
        {
            var heard = PluginEventResponse.Parser.ParseFrom((await socket.WaitForAsync(m => m.Event == Events.Plugins.CustomPluginEventToRoom)).Payload);
            Assert.Equal((notes, """{"cursor":1}"""), (heard.PluginId, heard.PluginData.ToStringUtf8()));
        }

        // To chosen peers (the opener, by the id the guest knows it by): only they get it; the next event to the room
        // reaches the other peer after it would have.
        guestSocket.Send(Events.Plugins.CustomPluginEventToPeers, new PluginEventToPeersRequest
        {
            PluginId = notes, PeerIds = { opened.EnabledBy }, PluginData = ByteString.CopyFromUtf8("""{"to":"host"}"""),
        }, out var toHost);
        await toHost;
        var chosen = PluginEventResponse.Parser.ParseFrom((await hostSocket.WaitForAsync(m => m.Event == Events.Plugins.CustomPluginEventToPeers)).Payload);
        Assert.Equal("""{"to":"host"}""", chosen.PluginData.ToStringUtf8());
        guestSocket.Send(Events.Plugins.CustomPluginEventToRoom, ToRoom(notes, """{"cursor":2}"""), out var again);
        await again;
        await otherSocket.WaitForAsync(m => m.Event == Events.Plugins.CustomPluginEventToRoom && PluginEventResponse.Parser.ParseFrom(m.Payload).PluginData.ToStringUtf8() == """{"cursor":2}""");
        Assert.DoesNotContain(otherSocket.Received, m => m.Event == Events.Plugins.CustomPluginEventToPeers);
        Assert.DoesNotContain(guestSocket.Received, m => m.Event is Events.Plugins.CustomPluginEventToRoom or Events.Plugins.CustomPluginEventToPeers);

        // Bounded as a store value is, and JSON as the receiving SDK parses it.
        var big = await guestSocket.RequestAsync(Events.Plugins.CustomPluginEventToRoom, ToRoom(notes, $"\"{new string('a', PluginLimits.MaxValueBytes)}\""));
        Assert.Equal((413, $"a plugin event may be at most {PluginLimits.MaxValueBytes} bytes (\"{notes}\" has {PluginLimits.MaxValueBytes + 2})"), Error(big));
        Assert.Equal((400, $"a plugin event must be JSON (\"{notes}\" is not)"), Error(await guestSocket.RequestAsync(Events.Plugins.CustomPluginEventToRoom, ToRoom(notes, "{cursor"))));

        // Closed, the plugin's events are refused again.
        hostSocket.Send(Events.Plugins.RemovePlugin, new RemovePluginRequest { PluginId = notes }, out var removed);
        await removed;
        await guestSocket.WaitForAsync(m => m.Event == Events.Plugins.RemovePlugin);
        Assert.Equal(409, Error(await guestSocket.RequestAsync(Events.Plugins.CustomPluginEventToRoom, ToRoom(notes, "{}"))).Code);
    }

    [Fact]
    public async Task APresetChangedAfterTheJoinCountsAtOnceForOpeningClosingAndWiping()
    {
        string board = await RegisterAsync("Board", "https://board.example/", "group_call_host");
        string meeting = await Api.CreateMeetingAsync();
        var host = await Api.AddParticipantAsync(meeting, "host", "group_call_host");
        var other = await Api.AddParticipantAsync(meeting, "other", "webinar_host");
        await using var hostSocket = await JoinAsync(host.Token);
        await using var otherSocket = await JoinAsync(other.Token);
        string plugin = $"{meeting}:notes";
        otherSocket.Send(Events.Plugins.StoreInsertKeys, Insert(meeting, Active, plugin, """{"id":"notes"}"""), out var opened);
        await opened;
        otherSocket.Send(Events.Plugins.StoreInsertKeys, Insert(meeting, "notes", "text", "\"kept\""), out var wrote);
        await wrote;

        // The host's preset is renamed (its socket stays open): the registered plugin no longer names it (1.5.x).
        string preset = (await Api.GetAsync("/presets")).EnsureOk().Body.GetProperty("data").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "group_call_host").GetProperty("id").GetString()!;
        (await Api.SendAsync(HttpMethod.Patch, $"/presets/{preset}", """{"name":"lead"}""")).EnsureOk();
        var renamed = await hostSocket.RequestAsync(Events.Plugins.AddPlugin, new AddPluginRequest { PluginId = board });
        Assert.Equal("plugin Board may be started by the presets group_call_host only", ErrorMessage.Parser.ParseFrom(renamed.Payload).Message);

        // Its preset loses the plugin permissions: it may no longer open, close another's plugin or wipe a store, whichever
        // SDK's way it asks.
        (await Api.SendAsync(HttpMethod.Patch, $"/presets/{preset}", """{"permissions":{"plugins":{"can_start":false,"can_close":false,"can_edit_config":false}}}""")).EnsureOk();
        var open = await hostSocket.RequestAsync(Events.Plugins.StoreInsertKeys, Insert(meeting, Active, $"{meeting}:board", """{"id":"board"}"""));
        Assert.Equal("your preset does not allow this (plugins.can_start)", ErrorMessage.Parser.ParseFrom(open.Payload).Message);
        var close = await hostSocket.RequestAsync(Events.Plugins.StoreDeleteKeys, new PluginStoreDeleteKeysRequest { PluginId = meeting, StoreName = Active, DeleteKeys = { new StoreKeys { StoreKey = plugin } } });
        Assert.Contains("plugins.can_close", ErrorMessage.Parser.ParseFrom(close.Payload).Message, StringComparison.Ordinal);
        var remove = await hostSocket.RequestAsync(Events.Plugins.RemovePlugin, new RemovePluginRequest { PluginId = plugin });
        Assert.Contains("plugins.can_close", ErrorMessage.Parser.ParseFrom(remove.Payload).Message, StringComparison.Ordinal);
        var wipe = await hostSocket.RequestAsync(Events.Plugins.StoreDelete, new PluginStoreDeleteRequest { PluginId = meeting, StoreName = "notes" });
        Assert.Equal("your preset does not allow this (plugins.can_edit_config)", ErrorMessage.Parser.ParseFrom(wipe.Payload).Message);

        var still = await otherSocket.RequestAsync(Events.Plugins.StoreGetKeys, new PluginStoreGetKeysRequest { PluginId = meeting, StoreName = Active });
        Assert.Equal([plugin], Items(still).Select(i => i.StoreKey));
        Assert.Equal("\"kept\"", Value(await otherSocket.RequestAsync(Events.Plugins.StoreGetKeys, new PluginStoreGetKeysRequest { PluginId = meeting, StoreName = "notes" }), "text"));
    }

    [Fact]
    public async Task A20ClientOpensARegisteredPluginOnlyAsItsPluginSaysWhichPresetsMay()
    {
        string board = await RegisterAsync("Board", "https://board.example/", "webinar_host");
        string meeting = await Api.CreateMeetingAsync();
        var host = await Api.AddParticipantAsync(meeting, "host", "group_call_host");
        await using var socket = await JoinAsync(host.Token);

        var refused = await socket.RequestAsync(Events.Plugins.StoreInsertKeys, Insert(meeting, Active, board, $$"""{"id":"{{board}}","name":"Board"}"""));
        Assert.Equal("plugin Board may be started by the presets webinar_host only", ErrorMessage.Parser.ParseFrom(refused.Payload).Message);
        Assert.Equal("null", Value(await socket.WaitForAsync(m => m.Event == Events.Plugins.StoreInsertKeys && Items(m).Any(i => i.StoreKey == board)), board));
        Assert.Empty(Items(await socket.RequestAsync(Events.Plugins.StoreGetKeys, new PluginStoreGetKeysRequest { PluginId = meeting, StoreName = Active })));
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(HttpMethod method, string path, string token, string? body = null)
    {
        using var https = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
        using var request = new HttpRequestMessage(method, $"{Server.HttpBase}{path}");
        request.Headers.Host = $"api.{RealtimeKitBrowser.Domain}:{new Uri(Server.HttpBase).Port}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await https.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Registers a plugin for the app (<c>POST /plugins</c>), startable by <paramref name="preset"/> only if one is named; its id.</summary>
    private async Task<string> RegisterAsync(string name, string baseUrl, string? preset = null) =>
        (await Api.PostAsync("/plugins", new JsonObject { ["name"] = name, ["base_url"] = baseUrl, ["presets"] = preset is null ? null : new JsonArray(preset) }.ToJsonString()))
            .EnsureOk().Data.GetProperty("id").GetString()!;

    private static PluginStoreInsertKeysRequest Insert(string meeting, string store, string key, string json) => new()
    {
        PluginId = meeting,
        StoreName = store,
        InsertKeys = { new StoreKeys { StoreKey = key, Payload = ByteString.CopyFromUtf8(json) } },
    };

    private static PluginEventToRoomRequest ToRoom(string pluginId, string json) => new() { PluginId = pluginId, PluginData = ByteString.CopyFromUtf8(json) };

    private static (int Code, string Message) Error(SocketMessage message)
    {
        var error = ErrorMessage.Parser.ParseFrom(message.Payload);
        return (error.Code, error.Message);
    }

    private static IReadOnlyList<PluginStoreItem> Items(SocketMessage message) => PluginStoreResponse.Parser.ParseFrom(message.Payload).StoreItems;

    private static string? Value(SocketMessage message, string key) =>
        Items(message).FirstOrDefault(i => i.StoreKey == key) is { } item ? Encoding.UTF8.GetString(item.Payload.Span) : null;
}
