using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Polls;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Chat = Stagecast.RealtimeKit.Protocol.Chat;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// What a meeting carries besides media, spoken directly on RealtimeKit's socket and the JSON channel. App messages (RealtimeKit's <c>participants.broadcastMessage</c>, room events 29 and 39; the channel's
/// <c>broadcast_send</c>; the app's <c>POST …/active-session/broadcast</c>), spoken directly on both front ends of one
/// meeting: each reaches every other peer whichever front end it came through, a RealtimeKit sender gets its own back
/// in the answer the SDK awaits, a targeted one only the peers named; type and payload are bounded, a peer's rate is
/// limited on the server's clock (a manual one here), and a peer of another meeting hears nothing. A RealtimeKit poll
/// says who asked by the creator's display name (the UI kit prints "Poll by" <c>created_by</c>; it printed the
/// participant id).
/// </summary>
public sealed class MeetingMessagesTests : RealtimeKitSocketTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));

    protected override Task<ServerFixture> StartServerAsync(string[] args) => ServerFixture.StartAsync(_clock, args);

    [Fact]
    public async Task ABroadcastReachesEveryOtherPeerAcrossBothFrontEndsAndNoOtherMeeting()
    {
        string meeting = await Api.CreateMeetingAsync();
        var (ada, adaId) = await JoinSocketAsync(meeting, "ada");
        var (bob, _) = await JoinSocketAsync(meeting, "bob");
        await using var _ = ada;
        await using var __ = bob;
        var (carol, carolPeer) = await JoinChannelAsync(meeting, "carol");
        await using var ___ = carol;
        var (other, _) = await JoinChannelAsync(await Api.CreateMeetingAsync(), "elsewhere");
        await using var ____ = other;

        // RealtimeKit -> RealtimeKit and the channel; the sender's answer is the message itself.
        var answer = await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast("bid", """{"amount": 5}"""));
        Assert.Equal(Events.Room.BroadcastMessage, answer.Event);
        Assert.Equal(("bid", """{"amount": 5}"""), Read(answer));
        var pushed = await bob.WaitForAsync(m => m.Event == Events.Room.BroadcastMessage && string.IsNullOrEmpty(m.Id));
        Assert.Equal(("bid", """{"amount": 5}"""), Read(pushed));
        Assert.Equal((ulong)_clock.GetUtcNow().ToUnixTimeMilliseconds(), BroadcastMessage.Parser.ParseFrom(pushed.Payload).Timestamp);
        var heard = await carol.WaitForEventAsync("broadcast_message");
        Assert.Equal("bid", heard.GetProperty("message_type").GetString());
        Assert.Equal("""{"amount": 5}""", heard.GetProperty("payload").GetRawText()); // as sent, as RealtimeKit's peers get it: not parsed again per peer
        Assert.Equal(adaId, heard.GetProperty("user_id").GetString());

        // The channel -> RealtimeKit, and not back to its sender.
        await carol.OkAsync("broadcast_send", new { message_type = "raise_hand", payload = new { up = true } });
        foreach (var socket in new[] { ada, bob })
        {
            var message = await socket.WaitForAsync(m => m.Event == Events.Room.BroadcastMessage && string.IsNullOrEmpty(m.Id) && Read(m).Type == "raise_hand");
            Assert.Equal("""{"up":true}""", Read(message).Payload);
        }

        // To chosen peers (a target of participants or presets: event 39), unanswered: only Carol hears it.
        ada.Send(Events.Room.BroadcastToEntity, new BroadcastMessage { Type = "whisper", Payload = Json("{}"), Ids = { carolPeer } }, out var sent);
        await sent;
        Assert.Equal("whisper", (await carol.WaitForEventAsync("broadcast_message", m => m.GetProperty("message_type").GetString() == "whisper")).GetProperty("message_type").GetString());

        // The app's server, to everyone.
        var rest = (await Api.PostAsync($"/meetings/{meeting}/active-session/broadcast", """{"type":"round","payload":{"lot":7}}""")).EnsureOk();
        Assert.Equal(3, rest.Data.GetProperty("recipients").GetInt32());

        var fromApp = await carol.WaitForEventAsync("broadcast_message", m => m.GetProperty("message_type").GetString() == "round");
        Assert.Equal(JsonValueKind.Null, fromApp.GetProperty("peer_id").ValueKind);
        await bob.WaitForAsync(m => m.Event == Events.Room.BroadcastMessage && Read(m).Type == "round");
        await ada.WaitForAsync(m => m.Event == Events.Room.BroadcastMessage && Read(m).Type == "round");

        Assert.DoesNotContain(bob.Received, m => m.Event == Events.Room.BroadcastToEntity);
        Assert.DoesNotContain(ada.Received, m => m.Event == Events.Room.BroadcastToEntity);
        Assert.DoesNotContain(carol.Seen, m => m.GetProperty("type").GetString() == "broadcast_message" && m.GetProperty("message_type").GetString() == "raise_hand");
        Assert.DoesNotContain(ada.Received, m => m.Event == Events.Room.BroadcastMessage && string.IsNullOrEmpty(m.Id) && Read(m).Type == "bid");
        Assert.DoesNotContain(other.Seen, m => m.GetProperty("type").GetString() == "broadcast_message");
    }

    [Fact]
    public async Task TypeAndPayloadAreBoundedAndNamedWhenRefused()
    {
        string meeting = await Api.CreateMeetingAsync();
        var (ada, _) = await JoinSocketAsync(meeting, "ada");
        await using var _ = ada;
        var (carol, _) = await JoinChannelAsync(meeting, "carol");
        await using var __ = carol;

        Assert.Equal(400, ErrorCode(await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast(" ", "{}"))));
        Assert.Equal(400, ErrorCode(await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast(new string('t', 101), "{}"))));
        Assert.Equal(400, ErrorCode(await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast("bid", "not json"))));
        Assert.Equal(400, ErrorCode(await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast("bid", ""))));
        Assert.Equal(400, ErrorCode(await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast("bid", " "))));
        Assert.Equal(400, ErrorCode(await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast("bid", "[1,2]"))));
        Assert.Equal(413, ErrorCode(await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast("bid", $$"""{"x":"{{new string('a', 8 * 1024)}}"}"""))));
        Assert.Equal(400, ErrorCode(await ada.RequestAsync(Events.Room.BroadcastToEntity, new BroadcastMessage { Type = "bid", Payload = Json("{}"), BroadcastType = BroadcastType.Rooms })));
        Assert.False(RealtimeKitSocketClient.IsError(await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast(new string('t', 100), $$"""{"x":"{{new string('a', 8 * 1024 - 10)}}"}"""))));

        var refused = await carol.RequestAsync("broadcast_send", new { message_type = "bid", payload = "a string" });
        Assert.Equal((400, "the message's payload must be a JSON object"), (refused.GetProperty("code").GetInt32(), refused.GetProperty("message").GetString()));
        var api = await Api.PostAsync($"/meetings/{meeting}/active-session/broadcast", """{"type":"","payload":{}}""");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, api.Status);
        Assert.Contains("type", api.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await Api.PostAsync($"/meetings/{await Api.CreateMeetingAsync()}/active-session/broadcast", """{"type":"x","payload":{}}""")).Status);
    }

    [Fact]
    public async Task APeerMaySendFiveASecondInBurstsOfTen()
    {
        string meeting = await Api.CreateMeetingAsync();
        var (ada, _) = await JoinSocketAsync(meeting, "ada");
        await using var _ = ada;
        var (carol, _) = await JoinChannelAsync(meeting, "carol");
        await using var __ = carol;

        for (int i = 0; i < 10; i++)
        {
            Assert.False(RealtimeKitSocketClient.IsError(await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast("tick", "{}"))));
            Assert.Equal("ok", (await carol.RequestAsync("broadcast_send", new { message_type = "tock", payload = new { } })).GetProperty("type").GetString());
        }

        Assert.Equal(429, ErrorCode(await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast("tick", "{}"))));
        Assert.Equal(429, (await carol.RequestAsync("broadcast_send", new { message_type = "tock", payload = new { } })).GetProperty("code").GetInt32());

        _clock.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 5; i++)
        {
            Assert.False(RealtimeKitSocketClient.IsError(await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast("tick", "{}"))));
        }

        Assert.Equal(429, ErrorCode(await ada.RequestAsync(Events.Room.BroadcastMessage, Broadcast("tick", "{}"))));
    }

    [Fact]
    public async Task APollIsByItsCreatorsDisplayName()
    {
        string meeting = await Api.CreateMeetingAsync();
        var (ada, adaId) = await JoinSocketAsync(meeting, "ada", "Ada Lovelace");
        await using var _ = ada;
        var (bob, _) = await JoinSocketAsync(meeting, "bob", "Bob");
        await using var __ = bob;

        var created = await ada.RequestAsync(Events.Polls.CreatePoll, new NewPollRequest { Question = "Lunch?", Options = { "pizza", "sushi" } });
        Assert.Equal(("Ada Lovelace", adaId), Creator(UpdatePollResponse.Parser.ParseFrom(created.Payload).Poll));
        var pushed = await bob.WaitForAsync(m => m.Event == Events.Polls.CreatePoll && string.IsNullOrEmpty(m.Id));
        Assert.Equal(("Ada Lovelace", adaId), Creator(UpdatePollResponse.Parser.ParseFrom(pushed.Payload).Poll));

        (await Api.PostAsync($"/meetings/{meeting}/active-session/poll", """{"question":"From the app?","options":["a","b"]}""")).EnsureOk();
        var polls = GetPollsResponse.Parser.ParseFrom((await bob.RequestAsync(Events.Polls.GetPolls, ByteString.Empty)).Payload).Polls;
        Assert.Equal([("Ada Lovelace", adaId), ("", "")], polls.Select(Creator));
    }

    private static (string Name, string UserId) Creator(Poll poll) => (poll.CreatedBy, poll.CreatedByUserId);

    private static ByteString Json(string text) => ByteString.CopyFromUtf8(text);

    [Fact]
    public async Task TheChatHistoryIsSentAPageAtATimeAndAskingAgainAndAgainIsRefusedPastTheParticipantsBudget()
    {
        string meeting = await Api.CreateMeetingAsync();
        var (ada, _) = await JoinSocketAsync(meeting, "ada");
        await using var _ = ada;
        var room = Server.App.Services.GetRequiredService<MeetingRooms>().Find(meeting)!;
        var adaPeer = Assert.Single(room.Peers);
        for (int i = 0; i < 40; i++)
        {
            await room.Chat.SendAsync(adaPeer, $"{i:00} {new string('w', 3900)}");
            _clock.Advance(TimeSpan.FromSeconds(1)); // within chat's rate
        }

        // The history is the newest messages that fit in a page, oldest first; the SDK pages back from there.
        var history = Chat.GetChatMessagesResponse.Parser.ParseFrom((await ada.RequestAsync(Events.Chat.GetMessages, ByteString.Empty)).Payload);
        Assert.InRange(history.CalculateSize(), 32 * 1024, 64 * 1024);
        Assert.StartsWith("39 ", history.Messages[^1].Payload, StringComparison.Ordinal);
        Assert.DoesNotContain(history.Messages, m => m.Payload.StartsWith("00 ", StringComparison.Ordinal));

        // One participant asking on several sockets shares one budget: past it, every one of its sockets is refused; others are served.
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_host");
        var sockets = new List<RealtimeKitSocketClient>();
        for (int i = 0; i < 3; i++)
        {
            sockets.Add(await JoinAsync(bob.Token));
        }

        try
        {
            int served = 0;
            SocketMessage reply;
            while (!RealtimeKitSocketClient.IsError(reply = await sockets[served % 3].RequestAsync(Events.Chat.GetMessages, ByteString.Empty)))
            {
                Assert.True(++served < 100, "asking for the history was never refused");
            }

            Assert.Equal(429, ErrorCode(reply));
            Assert.InRange(served, 8, 20); // four seconds' worth at 256 KiB a second, about 60 KiB an answer
            foreach (var socket in sockets)
            {
                Assert.Equal(429, ErrorCode(await socket.RequestAsync(Events.Chat.GetMessages, ByteString.Empty)));
            }

            Assert.False(RealtimeKitSocketClient.IsError(await ada.RequestAsync(Events.Chat.GetMessages, ByteString.Empty)));

            // The budget refills on the server's clock.
            _clock.Advance(TimeSpan.FromSeconds(1));
            Assert.False(RealtimeKitSocketClient.IsError(await sockets[0].RequestAsync(Events.Chat.GetMessages, ByteString.Empty)));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    private static BroadcastMessage Broadcast(string type, string payload) => new() { Type = type, Payload = Json(payload), Timestamp = 1 };

    private static (string Type, string Payload) Read(SocketMessage message)
    {
        var broadcast = BroadcastMessage.Parser.ParseFrom(message.Payload);
        return (broadcast.Type, broadcast.Payload.ToStringUtf8());
    }

    private static int ErrorCode(SocketMessage reply)
    {
        Assert.True(RealtimeKitSocketClient.IsError(reply), $"expected an error reply, got event {reply.Event}");
        return ErrorMessage.Parser.ParseFrom(reply.Payload).Code;
    }

    /// <summary>A participant joined on RealtimeKit's socket; its participant id.</summary>
    private async Task<(RealtimeKitSocketClient Socket, string ParticipantId)> JoinSocketAsync(string meeting, string name, string displayName = "")
    {
        var participant = await Api.AddParticipantAsync(meeting, name, "group_call_host");
        var socket = await ConnectAsync(participant.Token);
        var join = new JoinRoomRequest { Peer = new Peer { DisplayName = displayName } };
        Assert.False(RealtimeKitSocketClient.IsError(await socket.RequestAsync(Events.Room.JoinRoom, join)));
        return (socket, participant.Id);
    }

    /// <summary>A participant joined on the JSON channel; its peer id.</summary>
    private async Task<(RealtimeTestClient Channel, string PeerId)> JoinChannelAsync(string meeting, string name)
    {
        var participant = await Api.AddParticipantAsync(meeting, name, "group_call_participant");
        var channel = await RealtimeTestClient.ConnectAsync(Server.HttpBase, participant.Token, Tls.Certificate);
        var joined = await channel.OkAsync("join");
        return (channel, joined.GetProperty("peer_id").GetString()!);
    }
}
