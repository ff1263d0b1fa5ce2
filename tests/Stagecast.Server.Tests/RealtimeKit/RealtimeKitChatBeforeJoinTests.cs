using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Chat = Stagecast.RealtimeKit.Protocol.Chat;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Chat for a client that has not joined the room, as RealtimeKit's SDK allows between <c>init()</c> and <c>join()</c>
/// (a chat-only widget never joins): on the socket, it sends, reads the history and gets live chat of the session in
/// progress, and is no peer. A participant who would wait in the waiting room gets no chat until it is let in, and the
/// reads the SDK makes once its join is answered waiting are answered (empty), not refused.
/// </summary>
public sealed class RealtimeKitChatBeforeJoinTests : RealtimeKitSocketTests
{
    [Fact]
    public async Task AClientThatOnlyInitialisedChatsWithAJoinedPeerWithoutBeingAPeer()
    {
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var widget = await Api.AddParticipantAsync(meeting, "widget", "group_call_participant", name: "Wendy");
        await using var widgetSocket = await ConnectAsync(widget.Token);

        // Nobody joined yet: no session, so no chat to read, and none to send into.
        Assert.Empty(await HistoryAsync(widgetSocket));
        Assert.True(RealtimeKitSocketClient.IsError(await widgetSocket.RequestAsync(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { Payload = "anyone?" })));

        await using var adaSocket = await JoinAsync(ada.Token);
        widgetSocket.Send(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { Payload = "help please" }, out var sent);
        await sent;
        var message = Chat.SendChatMessageToRoomResponse.Parser.ParseFrom((await adaSocket.WaitForAsync(m => m.Event == Events.Chat.SendMessageToRoom)).Payload).Message;
        Assert.Equal(("help please", widget.Id, "Wendy"), (message.Payload, message.UserId, message.DisplayName));
        await WaitForChatAsync(widgetSocket, "help please"); // its own, as the SDK shows a message only when pushed

        adaSocket.Send(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { Payload = "how can I help?" }, out sent);
        await sent;
        await WaitForChatAsync(widgetSocket, "how can I help?");
        Assert.Equal(["help please", "how can I help?"], await HistoryAsync(widgetSocket));

        // No peer: in no participant list, announced to nobody, and it still may not ask about the room.
        var peers = RoomPeersInfoResponse.Parser.ParseFrom((await adaSocket.RequestAsync(Events.Room.GetRoomPeersInfo, ByteString.Empty)).Payload).Peers;
        Assert.DoesNotContain(peers, p => p.UserId == widget.Id);
        Assert.DoesNotContain(adaSocket.Received, m => m.Id.Length == 0 && m.Event is Events.Room.JoinRoom or Events.Media.PeerJoinedBroadcast);
        Assert.True(RealtimeKitSocketClient.IsError(await widgetSocket.RequestAsync(Events.Room.GetRoomPeersInfo, ByteString.Empty)));

        // Once it joins it chats as a peer, and gets each message once.
        Assert.False(RealtimeKitSocketClient.IsError(await widgetSocket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest())));
        adaSocket.Send(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { Payload = "welcome" }, out sent);
        await sent;
        await WaitForChatAsync(widgetSocket, "welcome");
        Assert.Equal(["help please", "how can I help?", "welcome"], await HistoryAsync(widgetSocket));
        Assert.Single(widgetSocket.Received, m => m.Event == Events.Chat.SendMessageToRoom && ChatText(m) == "welcome");
    }

    [Fact]
    public async Task AParticipantThatMustWaitGetsNoChatBeforeItIsLetInAndItsReadsAreAnswered()
    {
        (await Api.PostAsync("/presets", """{"name":"lobby_guest","permissions":{"waiting_room_type":"ON_PRIVILEGED_USER_ENTRY"}}""")).EnsureOk();
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var guest = await Api.AddParticipantAsync(meeting, "guest", "lobby_guest");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var guestSocket = await ConnectAsync(guest.Token);
        adaSocket.Send(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { Payload = "hosts only" }, out var sent);
        await sent;
        await WaitForChatAsync(adaSocket, "hosts only");

        Assert.True(RealtimeKitSocketClient.IsError(await guestSocket.RequestAsync(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { Payload = "let me in" })));
        var waiting = PeerInfoResponse.Parser.ParseFrom((await guestSocket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest())).Payload);
        Assert.True(waiting.Peer.Waitlisted);

        // The SDK reads the chat and the polls once its join is answered, waiting too: nothing yet, and no error.
        Assert.Empty(await HistoryAsync(guestSocket));
        var polls = await guestSocket.RequestAsync(Events.Polls.GetPolls, ByteString.Empty);
        Assert.False(RealtimeKitSocketClient.IsError(polls));
        Assert.Empty(Stagecast.RealtimeKit.Protocol.Polls.GetPollsResponse.Parser.ParseFrom(polls.Payload).Polls);
        Assert.DoesNotContain(guestSocket.Received, m => m.Event == Events.Chat.SendMessageToRoom);
    }

    private static string ChatText(Stagecast.RealtimeKit.Protocol.SocketMessage message) => Chat.SendChatMessageToRoomResponse.Parser.ParseFrom(message.Payload).Message.Payload;

    private static Task WaitForChatAsync(RealtimeKitSocketClient socket, string text) =>
        socket.WaitForAsync(m => m.Event == Events.Chat.SendMessageToRoom && m.Id.Length == 0 && ChatText(m) == text);

    private static async Task<string[]> HistoryAsync(RealtimeKitSocketClient socket)
    {
        var answer = await socket.RequestAsync(Events.Chat.GetMessages, ByteString.Empty);
        Assert.False(RealtimeKitSocketClient.IsError(answer));
        return [.. Chat.GetChatMessagesResponse.Parser.ParseFrom(answer.Payload).Messages.Select(m => m.Payload)];
    }
}
