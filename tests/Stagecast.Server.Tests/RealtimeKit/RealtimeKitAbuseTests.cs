using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Stagecast.RealtimeKit;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Chat = Stagecast.RealtimeKit.Protocol.Chat;
using Plugins = Stagecast.RealtimeKit.Protocol.Plugins;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// RealtimeKit's socket attacked from outside, spoken directly (no SDK): a socket opened while its participant was a
/// host must not keep a host's powers once the app reissued the token, deleted the participant or demoted it; sockets
/// that never join are bounded per participant and closed when they start nothing; a waiter's media transports carry
/// nothing, one turned away gets none and does not knock again at once; messages are bounded, and the limit named,
/// before and after the join; the sender of a chat message gets it once; bytes that are not UTF-8 and web apps a
/// plugin's opener names are refused before they reach the JSON channel's peers (issue 67).
/// </summary>
[Trait("Category", "StoreContract")]
public sealed class RealtimeKitAbuseTests : RealtimeKitSocketTests
{
    protected override Task<ServerFixture> StartServerAsync(string[] args) =>
        ServerFixture.StartAsync([.. args, "--set", "Stagecast:Realtime:JoinTimeout=00:00:02"]);

    [Fact]
    public async Task AJoinIsRecheckedAfterTheTokenIsReissuedOrTheParticipantDeleted()
    {
        string meeting = await Api.CreateMeetingAsync();
        foreach (bool delete in new[] { false, true })
        {
            var host = await Api.AddParticipantAsync(meeting, delete ? "deleted" : "reissued", "group_call_host");
            await using var socket = await OpenAsync(host.Token);
            if (delete)
            {
                (await Api.SendAsync(HttpMethod.Delete, $"/meetings/{meeting}/participants/{host.Id}")).EnsureOk();
            }
            else
            {
                (await Api.PostAsync($"/meetings/{meeting}/participants/{host.Id}/token")).EnsureOk();
            }

            var join = await socket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest());
            Assert.True(RealtimeKitSocketClient.IsError(join), $"the join was answered {join.Event}");
            Assert.Equal((401, "this participant token was revoked"), ErrorOf(join));
            Assert.Equal((WebSocketCloseStatus)4001, await socket.WaitForCloseAsync());
        }
    }

    [Fact]
    public async Task ASocketOpenedAsAHostJoinsAsWhatItsPresetIsNowAndCannotKick()
    {
        string meeting = await Api.CreateMeetingAsync();
        var guest = await Api.AddParticipantAsync(meeting, "guest", "group_call_participant");
        await using var guestChannel = await JoinChannelAsync(guest);
        var host = await Api.AddParticipantAsync(meeting, "host", "group_call_host");
        await using var socket = await OpenAsync(host.Token);

        (await Api.SendAsync(HttpMethod.Patch, $"/meetings/{meeting}/participants/{host.Id}", """{"preset_name":"group_call_participant"}""")).EnsureOk();
        var join = await socket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest());
        Assert.False(RealtimeKitSocketClient.IsError(join));
        Assert.Equal("group_call_participant", PeerInfoResponse.Parser.ParseFrom(join.Payload).Peer.Flags.PresetName);

        var kickAll = await socket.RequestAsync(Events.Room.KickAll, new RemoveParticipantsRequest());
        Assert.Equal((403, "your preset does not allow this (kick_participant)"), ErrorOf(kickAll));
        var kick = await socket.RequestAsync(Events.Room.Kick, new RemoveParticipantsRequest());
        Assert.Equal(403, ErrorOf(kick).Code);
        var waiting = await socket.RequestAsync(Events.Room.GetWaitingRoomRequests, new GetWaitingRoomRequests());
        Assert.Equal(403, ErrorOf(waiting).Code);

        // The guest is still in the meeting.
        await guestChannel.OkAsync("chat_send", new { text = "still here" });
        Assert.Null(guestChannel.CloseStatus);
    }

    [Fact]
    public async Task UnjoinedSocketsAreBoundedPerParticipantAndThoseThatStartNothingAreClosed()
    {
        string meeting = await Api.CreateMeetingAsync();
        var guest = await Api.AddParticipantAsync(meeting, "guest", "group_call_participant");

        // Four sockets that never join: the fifth is refused at the upgrade, on either front end.
        var sockets = new List<RealtimeKitSocketClient>();
        for (int i = 0; i < 4; i++)
        {
            sockets.Add(await OpenAsync(guest.Token, start: i > 0));
        }

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(guest.Token));
        Assert.Contains("429", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<WebSocketException>(() => RealtimeTestClient.ConnectAsync(Server.HttpBase, guest.Token, Tls.Certificate));

        // The one that sent nothing is closed at the join deadline (2 s here); its place is free again. The ones that
        // started (the SDK's init) stay.
        Assert.Equal((WebSocketCloseStatus)4008, await sockets[0].WaitForCloseAsync(TimeSpan.FromSeconds(30)));
        await using var fifth = (await Eventually.MatchAsync<RealtimeKitSocketClient?>(
            async () =>
            {
                try
                {
                    return await ConnectAsync(guest.Token);
                }
                catch (WebSocketException)
                {
                    return null;
                }
            },
            s => s is not null, "a place for a new socket"))!;
        Assert.All(sockets.Skip(1), s => Assert.Null(s.CloseStatus));
        foreach (var socket in sockets)
        {
            await socket.DisposeAsync();
        }
    }

    [Fact]
    public async Task MessagesAreBoundedBeforeAndAfterTheJoinAndTheCloseNamesTheLimit()
    {
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");

        // Before the join, the meeting sockets' limit (16 KiB).
        await using (var early = await OpenAsync(ada.Token))
        {
            early.Send(Events.Room.GetRoomInfo, Padding(20_000), out var sent);
            await sent;
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, await early.WaitForCloseAsync());
            Assert.Equal("messages are limited to 16384 bytes", early.CloseDescription);
        }

        // Joined, the protocol's own (128 KiB: the client's offers grow with its m-lines).
        await using var joined = await OpenAsync(ada.Token);
        Assert.False(RealtimeKitSocketClient.IsError(await joined.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest())));
        var info = await joined.RequestAsync(Events.Room.GetRoomInfo, Padding(100_000));
        Assert.Equal(meeting, RoomInfoResponse.Parser.ParseFrom(info.Payload).Room.RoomId);
        joined.Send(Events.Room.GetRoomInfo, Padding(140_000), out var tooBig);
        await tooBig;
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await joined.WaitForCloseAsync());
        Assert.Equal("messages are limited to 131072 bytes", joined.CloseDescription);
    }

    [Fact]
    public async Task AWaitersTransportsCarryNothingAndOneTurnedAwayGetsNoneNorAsksAgainAtOnce()
    {
        (await Api.PostAsync("/presets", """{"name":"lobby_guest","permissions":{"waiting_room_type":"ON_PRIVILEGED_USER_ENTRY"}}""")).EnsureOk();
        string meeting = await Api.CreateMeetingAsync();
        var host = await Api.AddParticipantAsync(meeting, "host", "group_call_host");
        var guest = await Api.AddParticipantAsync(meeting, "guest", "lobby_guest");
        await using var hostChannel = await JoinChannelAsync(host);
        await using var waiter = await RealtimeKitMediaClient.JoinAsync(HttpsPort, Tls.Certificate, guest.Token);
        var socket = waiter.Socket;

        // Its SDK asks for its transports whether or not it knows it waits (refused, it asked again and again with ever
        // larger offers): answered, connected, but nothing is produced on them before a host lets it in.
        await waiter.CreateSendTransportAsync();
        Assert.Equal("join the room first (room.joinRoom)", ErrorOf(await waiter.ProduceAsync("audio")).Message);

        var waiting = await hostChannel.WaitForEventAsync("waitlist_added");
        await hostChannel.OkAsync("waitlist_reject", new { waitlist_id = waiting.GetProperty("waitlisted").GetProperty("id").GetString() });
        await socket.WaitForAsync(m => m.Event == Events.Room.WaitingRoomRequestDenied);
        var again = await socket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest());
        var (code, message) = ErrorOf(again);
        Assert.Equal(429, code);
        Assert.StartsWith("a host turned you away; you may ask again in ", message, StringComparison.Ordinal);
        Assert.Single(hostChannel.Seen, m => m.GetProperty("type").GetString() == "waitlist_added");
        Assert.Equal("a host turned you away: no media transports",
            ErrorOf(await socket.RequestAsync(Events.Media.CreateWebRtcTransport, new CreateTransportRequest { Consuming = true })).Message);
    }

    [Fact]
    public async Task TheSenderOfAChatMessageGetsItOnce()
    {
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        await using var socket = await OpenAsync(ada.Token);
        Assert.False(RealtimeKitSocketClient.IsError(await socket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest())));

        string id = socket.Send(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { Payload = "once" }, out var sent);
        await sent;
        await socket.WaitForAsync(m => m.Event == Events.Chat.SendMessageToRoom && Chat.SendChatMessageToRoomResponse.Parser.ParseFrom(m.Payload).Message.Payload == "once");
        await socket.RequestAsync(Events.Room.GetRoomInfo, ByteString.Empty); // anything sent before its answer has come by now
        Assert.Single(socket.Received, m => m.Event == Events.Chat.SendMessageToRoom);
        Assert.DoesNotContain(socket.Received, m => m.Id == id);
    }

    [Fact]
    public async Task BytesThatAreNotUtf8AreRefusedToTheSocketAndTheJsonChannelsPeersReadOn()
    {
        string meeting = await Api.CreateMeetingAsync();
        var host = await Api.AddParticipantAsync(meeting, "host", "group_call_host");
        var guest = await Api.AddParticipantAsync(meeting, "guest", "group_call_participant");
        await using var guestChannel = await JoinChannelAsync(guest);
        await using var socket = await OpenAsync(host.Token);
        Assert.False(RealtimeKitSocketClient.IsError(await socket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest())));
        byte[] notUtf8 = [(byte)'"', 0xC3, 0x28, 0xFF, (byte)'"'];

        // A store value, an app message (the bytes under its "type", once read past unchecked), a plugin's descriptor:
        // each refused to this socket, nothing kept, nothing sent on.
        var value = await socket.RequestAsync(Events.Plugins.StoreInsertKeys, Insert(meeting, "notes", "text", notUtf8));
        Assert.Equal((400, "a plugin store value must be UTF-8 text (\"text\" is not)"), ErrorOf(value));
        var message = await socket.RequestAsync(Events.Room.BroadcastMessage, new BroadcastMessage { Type = "note", Payload = ByteString.CopyFrom([.. "{\"type\":{\"x\":"u8, .. notUtf8, .. "}}"u8]) });
        Assert.Equal((400, "the message's payload must be a JSON object"), ErrorOf(message));
        var descriptor = await socket.RequestAsync(Events.Plugins.StoreInsertKeys, Insert(meeting, ActivePlugins, $"{meeting}:board", [.. "{\"name\":"u8, .. notUtf8, .. "}"u8]));
        Assert.Equal((400, $"a plugin descriptor must be UTF-8 text (\"{meeting}:board\" is not)"), ErrorOf(descriptor));

        // The channel's peer keeps its socket and reads on: the next value and message reach it, and the store is readable.
        socket.Send(Events.Plugins.StoreInsertKeys, Insert(meeting, "notes", "text", "\"agenda\""u8.ToArray()), out var wrote);
        await wrote;
        var updated = await guestChannel.WaitForEventAsync("plugin_store_updated");
        Assert.Equal("agenda", updated.GetProperty("items")[0].GetProperty("value").GetString());
        await socket.RequestAsync(Events.Room.BroadcastMessage, new BroadcastMessage { Type = "note", Payload = ByteString.CopyFromUtf8("""{"type":{"x":"fine"}}""") });
        Assert.Equal("note", (await guestChannel.WaitForEventAsync("broadcast_message")).GetProperty("message_type").GetString());
        var store = await guestChannel.OkAsync("plugin_store_get", new { plugin_id = meeting, store = "notes" });
        Assert.Equal(["agenda"], store.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("value").GetString()));
        Assert.Null(guestChannel.CloseStatus);
        Assert.DoesNotContain(guestChannel.Seen, m => m.GetProperty("type").GetString() == "plugin_activated");
    }

    [Fact]
    public async Task AHostsDescriptorNamesNoWebAppButThePluginsOwnAndTheChannelIsToldOnlyTheServers()
    {
        string board = (await Api.PostAsync("/plugins", """{"name":"Board","base_url":"https://board.example/"}""")).EnsureOk().Data.GetProperty("id").GetString()!;
        string meeting = await Api.CreateMeetingAsync();
        var host = await Api.AddParticipantAsync(meeting, "host", "group_call_host");
        var guest = await Api.AddParticipantAsync(meeting, "guest", "group_call_participant");
        await using var guestChannel = await JoinChannelAsync(guest);
        await using var socket = await OpenAsync(host.Token);
        Assert.False(RealtimeKitSocketClient.IsError(await socket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest())));

        // javascript: for a plugin Stagecast does not know, another origin for a registered one: refused, and the SDK is
        // told the key as the room has it (closed).
        string own = $"{meeting}:whiteboard";
        var script = await socket.RequestAsync(Events.Plugins.StoreInsertKeys, Insert(meeting, ActivePlugins, own, """{"name":"Whiteboard","base_url":"javascript:parent.pwned=1//"}"""u8.ToArray()));
        Assert.Equal(400, ErrorOf(script).Code);
        var foreign = await socket.RequestAsync(Events.Plugins.StoreInsertKeys, Insert(meeting, ActivePlugins, board, """{"name":"Board","baseURL":"https://evil.example/"}"""u8.ToArray()));
        Assert.Equal((400, "a plugin descriptor may name only the plugin's own web app (\"baseURL\": https://board.example/)"), ErrorOf(foreign));

        // Opened as the SDK opens them (no web app named): the channel's peers are told the registration's web app, or none.
        foreach (string id in new[] { board, own })
        {
            socket.Send(Events.Plugins.StoreInsertKeys, Insert(meeting, ActivePlugins, id, Encoding.UTF8.GetBytes($$"""{"name":"Board","id":"{{id}}","enabledBy":"{{socket.PeerId}}"}""")), out var opened);
            await opened;
        }

        var views = new[] { await guestChannel.WaitForEventAsync("plugin_activated"), await guestChannel.WaitForEventAsync("plugin_activated") }
            .Select(m => m.GetProperty("plugin")).ToDictionary(p => p.GetProperty("id").GetString()!, p => p.GetProperty("base_url"));
        Assert.Equal("https://board.example/", views[board].GetString());
        Assert.Equal(JsonValueKind.Null, views[own].ValueKind);
        Assert.DoesNotContain(guestChannel.Seen, m => m.ToString().Contains("javascript:", StringComparison.Ordinal));
    }

    private const string ActivePlugins = "__rtk_plugins__";

    private static Plugins.PluginStoreInsertKeysRequest Insert(string meeting, string store, string key, byte[] payload) => new()
    {
        PluginId = meeting,
        StoreName = store,
        InsertKeys = { new Plugins.StoreKeys { StoreKey = key, Payload = ByteString.CopyFrom(payload) } },
    };

    /// <summary>A socket of the token's that has done what the SDK's init does (a request), unless <paramref name="start"/> is false.</summary>
    private async Task<RealtimeKitSocketClient> OpenAsync(string token, bool start = true)
    {
        var socket = await ConnectAsync(token);
        if (start)
        {
            await socket.RequestAsync(Events.Plugins.StoreGetKeys, new Plugins.PluginStoreGetKeysRequest { PluginId = ActivePlugins });
        }

        return socket;
    }

    private static (int Code, string Message) ErrorOf(SocketMessage reply)
    {
        Assert.True(RealtimeKitSocketClient.IsError(reply), $"expected an error reply, got event {reply.Event}");
        if (reply.Event == Events.Media.ErrorResponse)
        {
            return (0, ErrorResponse.Parser.ParseFrom(reply.Payload).ErrorMessage);
        }

        var error = ErrorMessage.Parser.ParseFrom(reply.Payload);
        return (error.Code, error.Message);
    }

    /// <summary>A payload of <paramref name="bytes"/> zeros (the request's own handler never reads it).</summary>
    private static ByteString Padding(int bytes) => ByteString.CopyFrom(new byte[bytes]);

    /// <summary>A participant joined on the JSON channel, over the server's HTTPS.</summary>
    private async Task<RealtimeTestClient> JoinChannelAsync(CreatedParticipant participant)
    {
        var channel = await RealtimeTestClient.ConnectAsync(Server.HttpBase, participant.Token, Tls.Certificate);
        await channel.OkAsync("join");
        return channel;
    }
}
