using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Tests.Rooms;

/// <summary>
/// The room's chat alone, on a room of fake peers and a store in memory: who hears a message (peers and chat members,
/// public and private), files, the history kept in memory, what chat may cost, and changes to a message.
/// </summary>
[Trait("Category", "InProcess")]
public sealed class RoomChatTests
{
    private readonly TestRoom _room = new();
    private readonly RoomStore _store = new();
    private readonly List<RoomPeer> _members = [];
    private bool _persistsChat;

    [Fact]
    public async Task AMessageReachesThoseItIsForPeersAndChatMembersAlikeAndAClientServingBothOnce()
    {
        var chat = Chat();
        var (host, hostHears) = _room.Add("Host");
        var (guest, guestHears) = _room.Add("Guest", "group_call_participant");
        var (_, deafHears) = _room.Add("Deaf", permissions: TestRoom.PresetOf("group_call_participant") with { ChatCanReceive = false });

        // A widget chatting before it joins, and a client admitted a moment ago that is still a chat member.
        var (widget, widgetHears) = Member("Widget");
        var (admitted, _) = Member("Admitted");
        admitted.Client = guest.Client;

        var all = await chat.SendAsync(host, "hello");
        var secret = await chat.SendAsync(guest, "psst", [host.Participant.Id]);
        Assert.Equal([all.Id, secret.Id], hostHears.Heard<ChatPosted>().Select(c => c.Message.Id));
        Assert.Equal([all.Id, secret.Id], guestHears.Heard<ChatPosted>().Select(c => c.Message.Id)); // its own, once
        Assert.Equal([all.Id], widgetHears.Heard<ChatPosted>().Select(c => c.Message.Id));
        Assert.Empty(deafHears.Heard<ChatPosted>());
        Assert.Equal([host.Participant.Id, guest.Participant.Id], secret.TargetUserIds); // its sender among them, so it sees its own

        // What each is shown later: of private messages, only its own and those for it; nothing without chat.can_receive.
        Assert.Equal(["hello", "psst"], (await chat.ForAsync(host)).Select(m => m.Payload));
        Assert.Equal(["hello"], (await chat.ForAsync(widget)).Select(m => m.Payload));
        Assert.Empty(await chat.ForAsync(_room.Peers.Single(p => p.Name == "Deaf")));
        Assert.Equal([guest.Participant.Id], chat.ParticipantsOf(p => p.Name == "Guest"));
    }

    [Fact]
    public async Task APrivateMessageGoesToOneToAHundredOthersWhosePresetsLetThemBeWrittenTo()
    {
        var chat = Chat();
        var (host, _) = _room.Add("Host");
        var (viewer, _) = _room.Add("Viewer", "webinar_viewer");
        var (shut, shutHears) = _room.Add("Shut", permissions: TestRoom.PresetOf("group_call_participant") with { ChatPrivate = ChatScope.Closed });

        await AssertRefusedAsync(DomainError.BadRequest, "a private message goes to 1 to 100 participants of the meeting besides its sender",
            () => chat.SendAsync(host, "to myself", [host.Participant.Id]));
        await AssertRefusedAsync(DomainError.BadRequest, "a private message goes to 1 to 100",
            () => chat.SendAsync(host, "to a crowd", [.. Enumerable.Range(0, RoomChat.MaxTargets + 1).Select(i => $"p{i}")]));
        await AssertRefusedAsync(DomainError.Forbidden, "Shut may not be sent private messages (their preset's chat.private.can_receive)",
            () => chat.SendAsync(host, "psst", [viewer.Participant.Id, shut.Participant.Id]));
        await AssertRefusedAsync(DomainError.Forbidden, "your preset does not allow sending private chat messages (chat.private.can_send)",
            () => chat.SendAsync(viewer, "psst back", [host.Participant.Id]));
        await AssertRefusedAsync(DomainError.BadRequest, "\"text\" must be 1 to 4000 characters", () => chat.SendAsync(host, " "));
        Assert.Empty(shutHears.Heard<ChatPosted>());
        Assert.False(chat.HasMessages);
    }

    [Fact]
    public async Task AFileMessageNamesAFileItsSenderUploadedForThisMeeting()
    {
        var chat = Chat();
        var (host, hostHears) = _room.Add("Host");
        var (guest, _) = _room.Add("Guest", "group_call_participant");
        var now = _room.Clock.GetUtcNow();
        var picture = new ChatFile("f1", _room.MeetingId, host.Participant.Id, "cat.png", "image/png", 1234, "https://stagecast.example", now);

        await AssertRefusedAsync(DomainError.BadRequest, "a file message must carry the download link of a file you uploaded", () => chat.SendFileAsync(host, null));
        await AssertRefusedAsync(DomainError.BadRequest, "a file you uploaded", () => chat.SendFileAsync(guest, picture)); // another's
        await AssertRefusedAsync(DomainError.BadRequest, "a file you uploaded", () => chat.SendFileAsync(host, picture with { MeetingId = "another" }));
        await AssertRefusedAsync(DomainError.Conflict, "the file has not been uploaded yet", () => chat.SendFileAsync(host, picture with { Size = -1 }));

        var sent = await chat.SendFileAsync(host, picture);
        Assert.Equal(("image", ChatFileJson.Write(picture)), (sent.PayloadType, sent.Payload));
        var edited = await chat.EditFileAsync(host, sent.Id, picture with { Id = "f2", Name = "notes.pdf", ContentType = "application/pdf" });
        Assert.Equal(("file", true), (edited.PayloadType, edited.IsEdited));
        Assert.Equal(ChatChange.Edited, Assert.Single(hostHears.Heard<ChatChanged>()).Change);
    }

    [Fact]
    public async Task TheHistoryIsReadOnceAndKeptAsMessagesChangeTheNewestFirstToGo()
    {
        var chat = Chat(history: 2);
        var (host, _) = _room.Add("Host");
        Assert.Empty(await chat.RecentAsync());
        var first = await chat.SendAsync(host, "first");
        var second = await chat.SendAsync(host, "second");
        await chat.SendAsync(host, "third");
        await chat.EditAsync(host, second.Id, "second, edited");
        Assert.Equal(["second, edited", "third"], (await chat.RecentAsync()).Select(m => m.Payload));
        await chat.DeleteAsync(host, second.Id);
        Assert.Equal(["third"], (await chat.RecentAsync()).Select(m => m.Payload));
        Assert.Equal(1, _store.Reads);

        // A message of an earlier session is none of this one's, unless the meeting keeps its chat across sessions.
        _room.SessionId = "session-2";
        await AssertRefusedAsync(DomainError.NotFound, $"no chat message {first.Id} in this meeting", () => chat.PinAsync(host, first.Id, pinned: true));
        _persistsChat = true;
        Assert.True((await Chat(history: 10).PinAsync(host, first.Id, pinned: true)).Pinned);
        Assert.Equal(["first", "third"], (await Chat(history: 10).RecentAsync()).Select(m => m.Payload));
    }

    [Fact]
    public async Task ChatIsChargedToTheParticipantOverAllItsPeersAndToTheSessionsTotal()
    {
        var limits = new ChatOptions { MessagesPerSecond = 3, MaxMessagesPerSession = 8, MaxBytesPerSession = 1024 };
        var chat = Chat(limits: limits);
        var (tab, _) = _room.Add("Ada");
        var secondTab = new RoomPeer("peer-ada-2", tab.Participant, tab.Permissions, "Ada", _room.Clock.GetUtcNow());

        for (int i = 0; i < 6; i++)
        {
            await chat.SendAsync(i % 2 == 0 ? tab : secondTab, $"m{i}"); // a burst of twice the rate, over both tabs
        }

        await AssertRefusedAsync(DomainError.TooMany, "a participant may send 3 chat messages a second; slow down", () => chat.SendAsync(secondTab, "m6"));
        _room.Clock.Advance(TimeSpan.FromSeconds(1));
        await chat.SendAsync(tab, "m6");
        await chat.SendAsync(tab, "m7");
        await AssertRefusedAsync(DomainError.TooLarge, "this session's chat is full (8 messages or 1024 bytes)", () => chat.SendAsync(tab, "m8"));
        _room.Clock.Advance(TimeSpan.FromSeconds(1));
        string firstId = (await chat.RecentAsync())[0].Id;
        await AssertRefusedAsync(DomainError.TooLarge, "this session's chat is full", () => chat.EditAsync(tab, firstId, new string('x', 2000))); // its bytes
        Assert.Equal(8, (await chat.RecentAsync()).Count);
    }

    [Fact]
    public async Task ASenderChangesItsOwnAModeratorDeletesAnyAndPinsPublicOnesAndNothingIsKeptOnceTheSessionEnds()
    {
        var chat = Chat();
        var (host, hostHears) = _room.Add("Host");
        var (guest, guestHears) = _room.Add("Guest", "group_call_participant");
        var said = await chat.SendAsync(guest, "hello");
        var secret = await chat.SendAsync(guest, "psst", [host.Participant.Id]);

        await AssertRefusedAsync(DomainError.Forbidden, "only its sender may edit a chat message", () => chat.EditAsync(host, said.Id, "hi"));
        await AssertRefusedAsync(DomainError.Forbidden, "your preset does not allow pinning chat messages (pin_participant)", () => chat.PinAsync(guest, said.Id, pinned: true));
        await AssertRefusedAsync(DomainError.BadRequest, "a private message cannot be pinned", () => chat.PinAsync(host, secret.Id, pinned: true));
        var hosts = await chat.SendAsync(host, "mine");
        await AssertRefusedAsync(DomainError.Forbidden, "only its sender may delete a chat message", () => chat.DeleteAsync(guest, hosts.Id));

        Assert.True((await chat.PinAsync(host, said.Id, pinned: true)).Pinned);
        await chat.DeleteAsync(host, secret.Id); // a moderator's: anyone's, at any time
        Assert.Equal([(said.Id, ChatChange.Pinned), (secret.Id, ChatChange.Deleted)], guestHears.Heard<ChatChanged>().Select(c => (c.Message.Id, c.Change)));
        Assert.Equal(host, hostHears.Heard<ChatChanged>()[^1].By);
        Assert.True(chat.HasMessages);

        await chat.CloseAsync();
        await AssertRefusedAsync(DomainError.Conflict, "the meeting has no session in progress", () => chat.SendAsync(host, "after the end"));
    }

    private RoomChat Chat(int history = 100, ChatOptions? limits = null) =>
        new(_room, _store, limits ?? new ChatOptions(), history, () => _persistsChat, () => [.. _members], _room.Clock);

    /// <summary>A chat member of the meeting: a client chatting without having joined, in no peer list.</summary>
    private (RoomPeer Member, TestRoom.Listener Client) Member(string name)
    {
        var preset = TestRoom.PresetOf("group_call_participant");
        var participant = new Features.Participants.Participant($"participant-{name}", _room.MeetingId, "app", name, "preset", "group_call_participant", name, null, "token",
            _room.Clock.GetUtcNow(), _room.Clock.GetUtcNow());
        var client = new TestRoom.Listener(participant, preset);
        var member = new RoomPeer($"member-{name}", participant, preset, name, _room.Clock.GetUtcNow()) { Client = client };
        _members.Add(member);
        return (member, client);
    }

    private static async Task AssertRefusedAsync(DomainError error, string message, Func<Task> act)
    {
        var refused = await Assert.ThrowsAsync<DomainException>(act);
        Assert.Equal(error, refused.Error);
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }
}
