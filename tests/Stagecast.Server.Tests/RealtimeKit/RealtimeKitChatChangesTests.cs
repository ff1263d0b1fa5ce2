using System.Text;
using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Chat = Stagecast.RealtimeKit.Protocol.Chat;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Edited, deleted and pinned chat messages, as RealtimeKit's SDK asks for them (<c>chat.editMessage</c>,
/// <c>chat.deleteMessage</c>, <c>chat.pinMessage</c>: 2.0.x and 1.5.x alike) and on Stagecast's JSON channel: only
/// the sender edits its message and deletes it, or a preset whose <c>chat.message.can_delete</c> is ALL (the host's);
/// pins need <c>pin_participant</c>; the one who changed a message has the answer, the others who see it a push; a
/// private message's edit reaches only its sender and recipients; the history and the export follow.
/// </summary>
public sealed class RealtimeKitChatChangesTests : RealtimeKitSocketTests
{
    [Fact]
    public async Task OnlyTheSenderEditsAHostDeletesAndPinsAndTheHistoryAndExportFollow()
    {
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        var carol = await Api.AddParticipantAsync(meeting, "carol", "group_call_participant");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);
        await using var carolSocket = await JoinAsync(carol.Token);
        string typo = await SendAsync(bobSocket, "helo", [adaSocket, carolSocket]);
        string other = await SendAsync(bobSocket, "second", [adaSocket, carolSocket]);

        // Bob fixes his typo: his answer is the message as edited; the others get it pushed, Bob not (the SDK takes the answer as a push).
        var edited = Chat.EditChatMessageResponse.Parser.ParseFrom(Ok(await bobSocket.RequestAsync(Events.Chat.EditMessage, new Chat.EditChatMessageRequest { ChatId = typo, PayloadType = 0, Payload = "hello" })).Payload).Message;
        Assert.Equal(("hello", true), (edited.Payload, edited.IsEdited));
        foreach (var socket in new[] { adaSocket, carolSocket })
        {
            var pushed = Chat.EditChatMessageResponse.Parser.ParseFrom((await socket.WaitForAsync(m => m.Event == Events.Chat.EditMessage)).Payload).Message;
            Assert.Equal((typo, "hello", true), (pushed.ChatId, pushed.Payload, pushed.IsEdited));
        }

        // Nobody else may edit or delete it, nor pin without pin_participant; a host may not edit it either.
        Assert.Equal(403, ErrorCode(await carolSocket.RequestAsync(Events.Chat.EditMessage, new Chat.EditChatMessageRequest { ChatId = typo, PayloadType = 0, Payload = "pwned" })));
        Assert.Equal(403, ErrorCode(await adaSocket.RequestAsync(Events.Chat.EditMessage, new Chat.EditChatMessageRequest { ChatId = typo, PayloadType = 0, Payload = "pwned" })));
        Assert.Equal(403, ErrorCode(await carolSocket.RequestAsync(Events.Chat.DeleteMessage, new Chat.DeleteChatMessageRequest { ChatId = typo })));
        Assert.Equal(403, ErrorCode(await bobSocket.RequestAsync(Events.Chat.PinMessage, new Chat.PinChatMessageRequest { ChatId = typo, Pinned = true })));
        Assert.Equal(404, ErrorCode(await bobSocket.RequestAsync(Events.Chat.EditMessage, new Chat.EditChatMessageRequest { ChatId = "no-such-message", Payload = "x" })));

        // The host pins it for everyone; the pinned filter of the paginated history finds it.
        var pin = Chat.PinChatMessageResponse.Parser.ParseFrom(Ok(await adaSocket.RequestAsync(Events.Chat.PinMessage, new Chat.PinChatMessageRequest { ChatId = typo, Pinned = true })).Payload);
        Assert.True(pin.Pinned && pin.Message.Pinned && pin.Message.Payload == "hello");
        Assert.True(Chat.PinChatMessageResponse.Parser.ParseFrom((await bobSocket.WaitForAsync(m => m.Event == Events.Chat.PinMessage)).Payload).Message.Pinned);
        var pinnedPage = Chat.GetPaginatedChatMessageRoomResponse.Parser.ParseFrom(Ok(await carolSocket.RequestAsync(Events.Chat.GetPaginatedMessages,
            new Chat.GetPaginatedChatMessageRoomRequest { Size = 10, Reversed = true, Filters = new Chat.GetPaginatedChatMessageFilters { Pinned = true } })).Payload);
        Assert.Equal([typo], pinnedPage.Messages.Select(m => m.ChatId));

        // Bob deletes his second message; the host deletes the first (its preset's chat.message.can_delete is ALL).
        Assert.Equal(other, Chat.DeleteChatMessageResponse.Parser.ParseFrom(Ok(await bobSocket.RequestAsync(Events.Chat.DeleteMessage, new Chat.DeleteChatMessageRequest { ChatId = other })).Payload).ChatId);
        await carolSocket.WaitForAsync(m => m.Event == Events.Chat.DeleteMessage && Chat.DeleteChatMessageResponse.Parser.ParseFrom(m.Payload).ChatId == other);
        string session = await SessionOfAsync(meeting);
        Assert.Equal("true,true,text,hello", ExportRow(await ExportAsync(session), typo));
        Ok(await adaSocket.RequestAsync(Events.Chat.DeleteMessage, new Chat.DeleteChatMessageRequest { ChatId = typo }));
        await bobSocket.WaitForAsync(m => m.Event == Events.Chat.DeleteMessage && Chat.DeleteChatMessageResponse.Parser.ParseFrom(m.Payload).ChatId == typo);
        Assert.Empty(await HistoryAsync(carolSocket));
        Assert.Single(await ExportAsync(session)); // the header alone
        Assert.DoesNotContain(bobSocket.Received, m => m.Event == Events.Chat.DeleteMessage && Chat.DeleteChatMessageResponse.Parser.ParseFrom(m.Payload).ChatId == other && m.Id.Length == 0);
    }

    [Fact]
    public async Task APrivateMessageStaysPrivateThroughItsEditAndItsPin()
    {
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_host");
        var carol = await Api.AddParticipantAsync(meeting, "carol", "group_call_host");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);
        await using var carolSocket = await JoinAsync(carol.Token);
        adaSocket.Send(Events.Chat.SendMessageToPeers, new Chat.SendChatMessageToPeersRequest { PeerIds = { await adaSocket.PeerIdOfAsync(bob.Id) }, Payload = "psst" }, out var sent);
        await sent;
        string secret = Chat.SendChatMessageToPeersResponse.Parser.ParseFrom((await bobSocket.WaitForAsync(m => m.Event == Events.Chat.SendMessageToPeers)).Payload).Message.ChatId;

        Ok(await adaSocket.RequestAsync(Events.Chat.EditMessage, new Chat.EditChatMessageRequest { ChatId = secret, PayloadType = 0, Payload = "psst, edited" }));
        Assert.Equal("psst, edited", Chat.EditChatMessageResponse.Parser.ParseFrom((await bobSocket.WaitForAsync(m => m.Event == Events.Chat.EditMessage)).Payload).Message.Payload);
        Assert.Equal(404, ErrorCode(await carolSocket.RequestAsync(Events.Chat.DeleteMessage, new Chat.DeleteChatMessageRequest { ChatId = secret }))); // a host, but not one it is for
        Assert.Equal(400, ErrorCode(await bobSocket.RequestAsync(Events.Chat.PinMessage, new Chat.PinChatMessageRequest { ChatId = secret, Pinned = true })));

        adaSocket.Send(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { Payload = "public" }, out sent);
        await sent;
        await carolSocket.WaitForAsync(m => m.Event == Events.Chat.SendMessageToRoom); // sent after the edit
        Assert.DoesNotContain(carolSocket.Received, m => m.Event is Events.Chat.EditMessage or Events.Chat.SendMessageToPeers);
        Assert.Equal(["public"], await HistoryAsync(carolSocket));
    }

    [Fact]
    public async Task TheChannelEditsPinsAndDeletesAndTheSdkSeesIt()
    {
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var adaChannel = await RealtimeTestClient.ConnectAsync(Server.HttpBase, ada.Token, Tls.Certificate);
        await adaChannel.OkAsync("join");
        await using var bobChannel = await RealtimeTestClient.ConnectAsync(Server.HttpBase, bob.Token, Tls.Certificate);
        await bobChannel.OkAsync("join");
        await using var adaSocket = await JoinAsync(ada.Token);

        string id = (await bobChannel.OkAsync("chat_send", new { text = "helo" })).GetProperty("message").GetProperty("id").GetString()!;
        var edited = (await bobChannel.OkAsync("chat_edit", new { message_id = id, text = "hello" })).GetProperty("message");
        Assert.Equal(("hello", true, false), (edited.GetProperty("text").GetString(), edited.GetProperty("edited").GetBoolean(), edited.GetProperty("pinned").GetBoolean()));
        var update = (await adaChannel.WaitForEventAsync("chat_updated", e => e.GetProperty("message").GetProperty("edited").GetBoolean())).GetProperty("message");
        Assert.Equal("hello", update.GetProperty("text").GetString());
        Assert.Equal("hello", Chat.EditChatMessageResponse.Parser.ParseFrom((await adaSocket.WaitForAsync(m => m.Event == Events.Chat.EditMessage)).Payload).Message.Payload);

        Assert.Equal(403, (await bobChannel.RequestAsync("chat_pin", new { message_id = id, pinned = true })).GetProperty("code").GetInt32());
        Assert.True((await adaChannel.OkAsync("chat_pin", new { message_id = id, pinned = true })).GetProperty("message").GetProperty("pinned").GetBoolean());
        await bobChannel.WaitForEventAsync("chat_updated", e => e.GetProperty("message").GetProperty("pinned").GetBoolean());
        Assert.True(Chat.PinChatMessageResponse.Parser.ParseFrom((await adaSocket.WaitForAsync(m => m.Event == Events.Chat.PinMessage)).Payload).Pinned);

        await bobChannel.OkAsync("chat_delete", new { message_id = id });
        Assert.Equal(id, (await adaChannel.WaitForEventAsync("chat_deleted", _ => true)).GetProperty("message_id").GetString());
        await adaSocket.WaitForAsync(m => m.Event == Events.Chat.DeleteMessage);
        Assert.Equal(0, (await adaChannel.OkAsync("chat_history")).GetProperty("messages").GetArrayLength());
    }

    private static SocketMessage Ok(SocketMessage answer)
    {
        Assert.False(RealtimeKitSocketClient.IsError(answer), answer.Event == Events.Error ? ErrorMessage.Parser.ParseFrom(answer.Payload).Message : null);
        return answer;
    }

    private static int ErrorCode(SocketMessage answer)
    {
        Assert.Equal(Events.Error, answer.Event);
        return (int)ErrorMessage.Parser.ParseFrom(answer.Payload).Code;
    }

    /// <summary>Sends a message and gives its id, once everyone in <paramref name="seenBy"/> got it.</summary>
    private static async Task<string> SendAsync(RealtimeKitSocketClient socket, string text, RealtimeKitSocketClient[] seenBy)
    {
        socket.Send(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { Payload = text }, out var sent);
        await sent;
        string id = "";
        foreach (var other in seenBy.Append(socket))
        {
            var pushed = await other.WaitForAsync(m => m.Event == Events.Chat.SendMessageToRoom && Chat.SendChatMessageToRoomResponse.Parser.ParseFrom(m.Payload).Message.Payload == text);
            id = Chat.SendChatMessageToRoomResponse.Parser.ParseFrom(pushed.Payload).Message.ChatId;
        }

        return id;
    }

    private static async Task<string[]> HistoryAsync(RealtimeKitSocketClient socket) =>
        [.. Chat.GetChatMessagesResponse.Parser.ParseFrom(Ok(await socket.RequestAsync(Events.Chat.GetMessages, ByteString.Empty)).Payload).Messages.Select(m => m.Payload)];

    private async Task<string> SessionOfAsync(string meeting) =>
        (await Api.GetAsync($"/meetings/{meeting}/active-session")).EnsureOk().Data.GetProperty("id").GetString()!;

    /// <summary>The session's chat export, its rows (the header first).</summary>
    private async Task<string[]> ExportAsync(string session)
    {
        string url = (await Api.GetAsync($"/sessions/{session}/chat")).EnsureOk().Data.GetProperty("chat_download_url").GetString()!;
        using var https = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
        var uri = new Uri(url);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Server.HttpBase}{uri.PathAndQuery}");
        request.Headers.Host = uri.Authority;
        using var response = await https.SendAsync(request);
        return Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>A message's pinned, isEdited, payloadType and payload in the export.</summary>
    private static string ExportRow(string[] rows, string id) => string.Join(',', rows.Single(r => r.StartsWith(id, StringComparison.Ordinal)).Split(',')[5..9]);
}
