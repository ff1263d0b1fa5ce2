using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>Chat in the room: what the presets' chat settings let a peer send, to whom, and change for how long.</summary>
public sealed partial class MeetingRoomTests
{
    [Fact]
    public async Task ChatGoesOnlyWhereTheSendersAndRecipientsPresetsLetIt()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host");
        var viewer = await GuestAsync(api, meeting, "viewer", "webinar_viewer");
        var shut = await GuestAsync(api, meeting, "shut");
        shut = new Guest(shut.Participant, shut.Permissions with { ChatPublic = ChatScope.Open with { Files = false }, ChatPrivate = ChatScope.Closed });
        var (hostIn, viewerIn, shutIn) = (await EnterAsync(api, host, "Host"), await EnterAsync(api, viewer, "Viewer"), await EnterAsync(api, shut, "Shut"));
        var room = hostIn.Room;

        // The default presets: a host writes to a viewer privately; the viewer may be written to, but starts nothing private.
        await room.Chat.SendAsync(hostIn.Peer, "psst", [viewer.Participant.Id]);
        Assert.Equal("psst", Assert.Single(viewer.Heard<ChatPosted>()).Message.Payload);
        var refused = await Assert.ThrowsAsync<DomainException>(() => room.Chat.SendAsync(viewerIn.Peer, "psst back", [host.Participant.Id]));
        Assert.Equal((DomainError.Forbidden, "your preset does not allow sending private chat messages (chat.private.can_send)"), (refused.Error, refused.Message));
        await room.Chat.SendAsync(viewerIn.Peer, "a question for all");

        // A preset closed to private chat is not written to privately, and one without public files sends none (checked before the file is).
        refused = await Assert.ThrowsAsync<DomainException>(() => room.Chat.SendAsync(hostIn.Peer, "psst", [viewer.Participant.Id, shut.Participant.Id]));
        Assert.Equal((DomainError.Forbidden, "Shut may not be sent private messages (their preset's chat.private.can_receive)"), (refused.Error, refused.Message));
        refused = await Assert.ThrowsAsync<DomainException>(() => room.Chat.SendFileAsync(shutIn.Peer, null));
        Assert.Equal((DomainError.Forbidden, "your preset does not allow sending files in chat (chat.public.files)"), (refused.Error, refused.Message));
        Assert.False(shut.Permissions.ChatCanSendFiles);
        Assert.True(viewer.Permissions.ChatCanSendFiles); // to everyone

        // Nothing refused was kept or told: the viewer heard the one message for it and its own, the host no private reply.
        Assert.Equal(["psst", "a question for all"], viewer.Heard<ChatPosted>().Select(c => c.Message.Payload));
        Assert.Equal(["a question for all"], shut.Heard<ChatPosted>().Select(c => c.Message.Payload));
        Assert.Equal(["psst", "a question for all"], (await room.Chat.ForAsync(hostIn.Peer)).Select(m => m.Payload));
    }

    [Fact]
    public async Task ItsSenderEditsAndDeletesAMessageOnlyWithinThePresetsCutoffsAModeratorAlways()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host"); // deletes anyone's (chat.message.can_delete ALL)
        var guest = await GuestAsync(api, meeting, "guest", "group_call_participant");
        host = new Guest(host.Participant, host.Permissions with { ChatDeleteCutoff = TimeSpan.FromSeconds(1) });
        guest = new Guest(guest.Participant, guest.Permissions with { ChatEditCutoff = TimeSpan.FromSeconds(60), ChatDeleteCutoff = TimeSpan.FromSeconds(120) });
        var (hostIn, guestIn) = (await EnterAsync(api, host, "Host"), await EnterAsync(api, guest, "Guest"));
        var room = hostIn.Room;
        var first = await room.Chat.SendAsync(guestIn.Peer, "first");
        var second = await room.Chat.SendAsync(guestIn.Peer, "second");

        // Within the minute the guest edits; past it, the edit is refused and the message stays as it was.
        Assert.True((await room.Chat.EditAsync(guestIn.Peer, first.Id, "first, edited")).IsEdited);
        server.Clock.Advance(TimeSpan.FromSeconds(61));
        var refused = await Assert.ThrowsAsync<DomainException>(() => room.Chat.EditAsync(guestIn.Peer, second.Id, "too late"));
        Assert.Equal((DomainError.Forbidden, "a chat message may be edited for 60 s after it is sent (chat.message.edit_cutoff_time_seconds)"), (refused.Error, refused.Message));

        // Within two minutes the guest deletes its own; past them, not.
        await room.Chat.DeleteAsync(guestIn.Peer, first.Id);
        server.Clock.Advance(TimeSpan.FromSeconds(60));
        refused = await Assert.ThrowsAsync<DomainException>(() => room.Chat.DeleteAsync(guestIn.Peer, second.Id));
        Assert.Equal((DomainError.Forbidden, "a chat message may be deleted for 120 s after it is sent (chat.message.delete_cutoff_time_seconds)"), (refused.Error, refused.Message));
        Assert.Equal(["second"], (await room.Chat.ForAsync(guestIn.Peer)).Select(m => m.Payload));

        // A host who deletes anyone's messages moderates at any time, its own cutoff notwithstanding.
        await room.Chat.DeleteAsync(hostIn.Peer, second.Id);
        Assert.Empty(await room.Chat.ForAsync(guestIn.Peer));
    }
}
