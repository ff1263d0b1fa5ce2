using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.Server.Tests.Hosting;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// The meeting room driven without any socket: participants enter through a front end of the test's own
/// (<see cref="Guest"/>, an <see cref="IRoomClient"/> that keeps what its room tells it), on a fake clock.
/// </summary>
[Trait("Category", "InProcess")]
public sealed partial class MeetingRoomTests(MeetingRoomTests.Server server) : IClassFixture<MeetingRoomTests.Server>
{
    private MeetingRooms Rooms => server.App.Services.GetRequiredService<MeetingRooms>();

    [Fact]
    public async Task PeersAreToldWhoJoinsLeavesComesBackAndIsKicked()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host");
        var guest = await GuestAsync(api, meeting, "guest");
        var hostIn = await EnterAsync(api, host, "Host");
        var guestIn = await EnterAsync(api, guest, "Guest");

        Assert.Same(hostIn.Room, guestIn.Room);
        var room = hostIn.Room;
        Assert.Equal(guestIn.Peer, Assert.Single(host.Heard<PeerJoined>()).Peer);
        Assert.Empty(guest.Heard<PeerJoined>()); // not of itself
        Assert.Equal([hostIn.Peer], (await room.StateForAsync(guestIn.Peer)).Peers);

        // The guest's connection drops: it stays for the reconnect grace, comes back as the same peer, unseen.
        await room.DisconnectedAsync(guestIn.Peer, guest);
        Assert.Null(guestIn.Peer.Client);
        var again = await GuestAsync(api, meeting, guest.Participant);
        var resumed = await EnterAsync(api, again, "Guest", resume: guestIn.Peer.Id);
        Assert.True(resumed.Resumed);
        Assert.Same(guestIn.Peer, resumed.Peer);
        Assert.Same(again, guestIn.Peer.Client);

        // A third connection takes the peer over: the second is told it is replaced.
        var third = await GuestAsync(api, meeting, guest.Participant);
        await EnterAsync(api, third, "Guest", resume: guestIn.Peer.Id);
        Assert.Single(again.Heard<Replaced>());

        // It drops for good: after the grace (on the fake clock) it has left, as of the drop.
        await room.DisconnectedAsync(guestIn.Peer, third);
        server.Clock.Advance(server.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RoomOptions>>().Value.ReconnectGrace);
        var left = await Eventually.MatchAsync(() => host.Heard<PeerLeft>().SingleOrDefault(), l => l is not null, "the guest to leave after its grace");
        Assert.Equal((guestIn.Peer, "disconnected"), (left!.Peer, left.Reason));
        Assert.Equal([hostIn.Peer], room.Peers);

        // A latecomer is kicked: it is told why, the host sees it go.
        var late = await GuestAsync(api, meeting, "late");
        var lateIn = await EnterAsync(api, late, "Late");
        var kicked = await room.KickAsync(p => p.Participant.Id == late.Participant.Id, "kicked by the host");
        Assert.Equal([lateIn.Peer], kicked);
        Assert.Equal("kicked by the host", Assert.Single(late.Heard<Kicked>()).Reason);
        Assert.Null(lateIn.Peer.Client);
        Assert.Contains(host.Heard<PeerLeft>(), l => l.Peer == lateIn.Peer && l.Reason == "kicked");

        // The host leaves: nobody is left, and after the meeting's keep-alive the session ends and the room closes.
        await room.LeaveAsync(hostIn.Peer);
        Assert.Empty(room.Peers);
        server.Clock.Advance(TimeSpan.FromSeconds(room.Meeting.SessionKeepAliveTimeInSecs));
        await Eventually.TrueAsync(() => Rooms.Find(meeting) is null, "the room to close after the keep-alive");
    }

    [Fact]
    public async Task ChatAndPollsReachThePeersAndAPollHidingVotesShowsThemOnlyToVoters()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host");
        var guest = await GuestAsync(api, meeting, "guest", "group_call_participant");
        var hostIn = await EnterAsync(api, host, "Host");
        var guestIn = await EnterAsync(api, guest, "Guest");
        var room = hostIn.Room;

        var message = await room.Chat.SendAsync(guestIn.Peer, "hello");
        Assert.Equal(message, Assert.Single(host.Heard<ChatPosted>()).Message);
        Assert.Equal(message, Assert.Single(guest.Heard<ChatPosted>()).Message); // the sender too
        Assert.Equal([message.Id], (await room.StateForAsync(hostIn.Peer)).Chat.Select(c => c.Id));

        var refused = await Assert.ThrowsAsync<DomainException>(() => room.Polls.CreateAsync(guestIn.Peer, Poll("lunch?")));
        Assert.Equal(DomainError.Forbidden, refused.Error); // a participant's preset may not create polls
        var poll = await room.Polls.CreateAsync(hostIn.Peer, Poll("lunch?", hideVotes: true));
        Assert.Equal(poll.Id, Assert.Single(guest.Heard<PollChanged>()).Poll.Id);

        await room.Polls.VoteAsync(hostIn.Peer, poll.Id, 1);
        var seen = guest.Heard<PollChanged>()[^1].Poll;
        Assert.Equal(0, PollView.For(seen, guest.Participant.Id).Options[1].Count); // hidden from the guest until it votes
        Assert.Equal(1, PollView.For(seen, host.Participant.Id).Options[1].Count);
        await room.Polls.VoteAsync(guestIn.Peer, poll.Id, 1);
        Assert.Equal(2, PollView.For(guest.Heard<PollChanged>()[^1].Poll, guest.Participant.Id).Options[1].Count);
        Assert.Equal(DomainError.Conflict, (await Assert.ThrowsAsync<DomainException>(() => room.Polls.VoteAsync(guestIn.Peer, poll.Id, 0))).Error);
    }

    [Fact]
    public async Task TheWaitingRoomHoldsAGuestUntilAHostAcceptsOrDenies()
    {
        var (api, meeting) = await MeetingAsync();
        (await api.PostAsync("/presets", JsonSerializer.Serialize(new { name = "waits", permissions = new { waiting_room_type = "ON_PRIVILEGED_USER_ENTRY" } }))).EnsureOk();
        var host = await GuestAsync(api, meeting, "host");
        var member = await GuestAsync(api, meeting, "member", "group_call_participant");
        var hostIn = await EnterAsync(api, host, "Host");
        var memberIn = await EnterAsync(api, member, "Member");
        var room = hostIn.Room;

        // A guest's connection goes in as every front end's does (RoomEntry): it waits, and the hosts hear of it.
        var guest = await GuestAsync(api, meeting, "guest", "waits");
        var entry = new RoomEntry(Rooms, meeting);
        var waiting = Assert.IsType<Admission.Waiting>(await entry.AdmitAsync(guest, api.AccountId, "Guest", null));
        Assert.Same(waiting.Waiter, entry.Waiting);
        Assert.Equal((meeting, false), (entry.WaitingIn!.Id, entry.Rejected));
        Assert.Equal(waiting.Waiter.Id, Assert.Single(host.Heard<WaiterAdded>()).Waiter.Id);
        Assert.Empty(member.Heard<WaiterAdded>()); // only hosts hear who waits
        Assert.Single((await room.StateForAsync(hostIn.Peer)).Waitlisted);

        Assert.Equal(DomainError.Forbidden, Assert.Throws<DomainException>(() => room.DecideWaiter(memberIn.Peer, waiting.Waiter.Id, accept: true)).Error);
        Assert.Equal(DomainError.NotFound, Assert.Throws<DomainException>(() => room.DecideWaiter(hostIn.Peer, "nobody", accept: true)).Error);
        var decided = entry.DecidedAsync(waiting);
        room.DecideWaiter(hostIn.Peer, waiting.Waiter.Id, accept: true);
        Assert.Equal(WaitDecision.Accepted, await decided);
        Assert.Null(entry.Waiting);
        Assert.False(entry.Rejected);
        Assert.Equal((waiting.Waiter.Id, "accepted"), (host.Heard<WaiterRemoved>()[0].WaitlistId, host.Heard<WaiterRemoved>()[0].Reason));

        // Let in, it enters the meeting it waited for when it joins again (RealtimeKit's client does), waiting no more.
        var entered = Assert.IsType<Admission.Entered>(await entry.AdmitAsync(guest, api.AccountId, "Guest", null));
        Assert.Same(room, entered.Room);

        var denied = await GuestAsync(api, meeting, "denied", "waits");
        var deniedEntry = new RoomEntry(Rooms, meeting);
        var deniedWait = Assert.IsType<Admission.Waiting>(await deniedEntry.AdmitAsync(denied, api.AccountId, "Denied", null));
        var refusal = deniedEntry.DecidedAsync(deniedWait);
        room.DecideWaiter(hostIn.Peer, deniedWait.Waiter.Id, accept: false);
        Assert.Equal(WaitDecision.Rejected, await refusal);
        Assert.True(deniedEntry.Rejected && deniedEntry.Waiting is null, "turned away, it waits no more");
        Assert.Equal("rejected", host.Heard<WaiterRemoved>()[^1].Reason);
        Assert.DoesNotContain(room.Peers, p => p.Participant.Id == denied.Participant.Id);

        // A connection that closes while it waits gives its place up: the hosts see it go.
        var gone = await GuestAsync(api, meeting, "gone", "waits");
        var goneEntry = new RoomEntry(Rooms, meeting);
        var goneWait = Assert.IsType<Admission.Waiting>(await goneEntry.AdmitAsync(gone, api.AccountId, "Gone", null));
        goneEntry.GiveUp();
        Assert.Null(goneEntry.Waiting);
        Assert.Equal(goneWait.Waiter.Id, host.Heard<WaiterRemoved>()[^1].WaitlistId);
        Assert.Empty((await room.StateForAsync(hostIn.Peer)).Waitlisted);
    }

    [Fact]
    public async Task MuteWhatIsPublishedAndWhoSpeaksAreToldToEveryPeer()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host");
        var viewer = await GuestAsync(api, meeting, "viewer", "webinar_viewer");
        var hostIn = await EnterAsync(api, host, "Host");
        var viewerIn = await EnterAsync(api, viewer, "Viewer");
        var room = hostIn.Room;

        // A viewer's preset produces nothing: it may not unmute.
        var refused = await Assert.ThrowsAsync<DomainException>(() => room.SetMutedAsync(viewerIn.Peer, audioEnabled: true, videoEnabled: null));
        Assert.Equal(DomainError.Forbidden, refused.Error);
        await room.SetMutedAsync(hostIn.Peer, audioEnabled: false, videoEnabled: true);

        // What the host publishes follows its media; both hear it (the host of itself too), once per change.
        await room.SetPeerMediaAsync(hostIn.Peer, audio: true, video: true, screenshare: false);
        await room.SetPeerMediaAsync(hostIn.Peer, audio: true, video: true, screenshare: false);
        var updated = Assert.Single(viewer.Heard<PeerUpdated>());
        Assert.Equal((hostIn.Peer, true, true, false), (updated.Peer, updated.Peer.AudioEnabled, updated.Peer.VideoEnabled, updated.Peer.ScreenshareEnabled));
        Assert.Single(host.Heard<PeerUpdated>());

        room.SetActiveSpeaker(hostIn.Peer.Id);
        Assert.Equal(hostIn.Peer.Id, Assert.Single(viewer.Heard<ActiveSpeakerChanged>()).PeerId);
        Assert.Equal(hostIn.Peer.Id, Assert.Single(host.Heard<ActiveSpeakerChanged>()).PeerId);
    }

    [Fact]
    public async Task TheLivestreamStageFollowsTheMeetingsLivestream()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host");
        var hostIn = await EnterAsync(api, host, "Host");
        var room = hostIn.Room;
        Assert.Null((await room.StateForAsync(hostIn.Peer)).Livestream);

        (await api.PostAsync($"/meetings/{meeting}/livestreams", """{"manual_ingest":true}""")).EnsureOk();
        var invoked = await Eventually.MatchAsync(() => host.Heard<LivestreamChanged>().SingleOrDefault(), c => c is not null, "the room to hear of the livestream");
        Assert.Equal((MeetingLivestreamChange.Invoked, LivestreamStage.WaitingOnManualIngestion), (invoked!.Change, invoked.Stage));
        Assert.Equal(invoked.Livestream.Record.Id, (await room.StateForAsync(hostIn.Peer)).Livestream?.Record.Id);

        (await api.PostAsync($"/meetings/{meeting}/active-livestream/stop")).EnsureOk();
        var stopped = await Eventually.MatchAsync(() => host.Heard<LivestreamChanged>(), c => c.Count == 2, "the room to hear the livestream stop");
        Assert.Equal((MeetingLivestreamChange.Stopped, LivestreamStage.Idle), (stopped[1].Change, stopped[1].Stage));
        Assert.Null((await room.StateForAsync(hostIn.Peer)).Livestream);
    }

    [Fact]
    public async Task AnAppMessageIsPassedOnOutsideTheRoomsLock()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host");
        var slow = await GuestAsync(api, meeting, "slow");
        var hostIn = await EnterAsync(api, host, "Host");
        await EnterAsync(api, slow, "Slow");
        var room = hostIn.Room;

        using var hold = new ManualResetEventSlim();
        slow.Hold = hold;
        var sending = Task.Run(() => room.AppMessages.Send(AppMessage.Create("bid", "{}"u8.ToArray(), hostIn.Peer, server.Clock.GetUtcNow())));
        try
        {
            await Eventually.TrueAsync(() => slow.Holding.Task.IsCompleted, "the app message to be on its way to the slow peer");
            var chat = room.Chat.SendAsync(hostIn.Peer, "meanwhile"); // a change to the room while the message is on its way
            await Eventually.TrueAsync(() => chat.IsCompleted, "chat to go on while the app message is passed on");
            Assert.Equal("meanwhile", (await chat).Payload);
        }
        finally
        {
            hold.Set();
        }

        Assert.Equal(1, await sending);
        Assert.Single(slow.Heard<AppMessageSent>());
    }

    [Fact]
    public void TheRoomKnowsNoJsonNoSocketAndNoFrontEnd()
    {
        // Its REST routes (Rooms.Api) are a front end like the channel; the room itself is only the model.
        var uses = TypeReferences.Of(typeof(StagecastApp).Assembly.Location);
        var broken = uses
            .Where(u => u.Key.StartsWith("Stagecast.Server.Features.Rooms.", StringComparison.Ordinal) && u.Key.LastIndexOf('.') == "Stagecast.Server.Features.Rooms".Length)
            .SelectMany(u => u.Value.Where(IsProtocol).Select(used => $"{u.Key} uses {used}"))
            .ToList();
        Assert.True(broken.Count == 0, string.Join("\n", broken));
        Assert.Contains(uses["Stagecast.Server.Features.MeetingSockets.MeetingSocket"], IsProtocol); // the check sees a socket where there is one
    }

    private static bool IsProtocol(string type) =>
        type.StartsWith("System.Text.Json", StringComparison.Ordinal) || type.StartsWith("System.Net.WebSockets", StringComparison.Ordinal)
        || type.StartsWith("Stagecast.Server.Features.Realtime.", StringComparison.Ordinal)
        || type.StartsWith("Stagecast.Server.Features.MeetingSockets.", StringComparison.Ordinal);

    private static PollRequest Poll(string question, bool hideVotes = false) =>
        new() { Question = question, Options = ["yes", "no"], HideVotes = hideVotes };

    [Fact]
    public async Task APeerChoosesItsNameOnlyWhereItsPresetAllowsAndNeverOneThatHidesOrReordersText()
    {
        var (api, meeting) = await MeetingAsync();
        (await api.PostAsync("/presets", JsonSerializer.Serialize(new
        {
            name = "fixed-name", config = new { view_type = "GROUP_CALL" }, permissions = new { can_produce_audio = true, can_edit_display_name = false },
        }))).EnsureOk();

        // A preset that does not let its participants choose: the app's name is the one shown, whatever the client asks.
        var created = await api.AddParticipantAsync(meeting, "fay", "fixed-name", name: "Fay");
        var participants = server.App.Services.GetRequiredService<IParticipantStore>();
        var fay = await GuestAsync(api, meeting, (await participants.FindAsync(created.Id, CancellationToken.None))!);
        var fayIn = await EnterAsync(api, fay, "Host \u2714 (moderator)");
        Assert.Equal("Fay", fayIn.Peer.Name);
        var refused = await Assert.ThrowsAsync<DomainException>(() => fayIn.Room.RenamePeerAsync(fayIn.Peer, "Host"));
        Assert.Equal((DomainError.Forbidden, "your preset does not allow changing your display name (can_edit_display_name)"), (refused.Error, refused.Message));
        Assert.Equal("Fay", fayIn.Peer.Name);

        // A preset that does: any name but one with controls, line breaks or bidirectional overrides; emoji with joiners pass.
        var bob = await GuestAsync(api, meeting, "bob", "group_call_participant");
        var reordered = await Assert.ThrowsAsync<DomainException>(() => Rooms.AdmitAsync(bob, api.AccountId, "report\u202Egpj", null));
        Assert.Equal((DomainError.BadRequest, "a display name must not contain invisible formatting characters (U+202E)"), (reordered.Error, reordered.Message));
        var bobIn = await EnterAsync(api, bob, "Bob");
        var forged = await Assert.ThrowsAsync<DomainException>(() => bobIn.Room.RenamePeerAsync(bobIn.Peer, "Bob\nHost: all good"));
        Assert.Equal("a display name must not contain control characters (U+000A)", forged.Message);
        await bobIn.Room.RenamePeerAsync(bobIn.Peer, "Bob \U0001F468\u200D\U0001F469\u200D\U0001F467");
        Assert.Equal("Bob \U0001F468\u200D\U0001F469\u200D\U0001F467", bobIn.Peer.Name);

        // The app's own names are held to the same rule.
        var bad = await api.PostAsync($"/meetings/{meeting}/participants", JsonSerializer.Serialize(new
        {
            custom_participant_id = "eve", preset_name = "group_call_participant", name = "Eve\u2066admin\u2069",
        }));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("\"name\" must not contain control characters, line breaks or invisible formatting characters", bad.ErrorMessage);
    }

    private async Task<(StagecastApiClient Api, string Meeting)> MeetingAsync()
    {
        var api = await server.NewTenantAsync();
        return (api, await api.CreateMeetingAsync());
    }

    [Fact]
    public async Task AHostChangesAParticipantsPermissionsForTheSessionAndTheyHold()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host"); // can_change_participant_permissions
        var guest = await GuestAsync(api, meeting, "guest", "group_call_participant");
        var (hostIn, guestIn) = (await EnterAsync(api, host, "Host"), await EnterAsync(api, guest, "Guest"));
        var room = hostIn.Room;
        var patch = new PermissionPatch { ChatPublic = new ChatScopePatch(false, null, null, null), PollsCanCreate = true, AudioAccess = PresetAccess.NotAllowed };

        // A participant's preset may not change others'; nobody of the meeting named is a 404.
        var refused = await Assert.ThrowsAsync<DomainException>(() => room.UpdatePermissionsAsync(guestIn.Peer, [(host.Participant.Id, patch)]));
        Assert.Equal((DomainError.Forbidden, "your preset may not change others' permissions (can_change_participant_permissions)"), (refused.Error, refused.Message));
        refused = await Assert.ThrowsAsync<DomainException>(() => room.UpdatePermissionsAsync(hostIn.Peer, [("nobody", patch)]));
        Assert.Equal(DomainError.NotFound, refused.Error);

        // The host takes the guest's chat and microphone and lets it make polls: the guest is told, and the room holds it to them.
        Assert.Equal([guestIn.Peer], await room.UpdatePermissionsAsync(hostIn.Peer, [(guest.Participant.Id, patch)]));
        var told = Assert.Single(guest.Heard<PermissionsChanged>());
        Assert.Equal((patch, hostIn.Peer), (told.Patch, told.By));
        Assert.Empty(host.Heard<PermissionsChanged>());
        Assert.Equal(DomainError.Forbidden, (await Assert.ThrowsAsync<DomainException>(() => room.Chat.SendAsync(guestIn.Peer, "hello"))).Error);
        Assert.Equal(DomainError.Forbidden, (await Assert.ThrowsAsync<DomainException>(() => room.SetMutedAsync(guestIn.Peer, audioEnabled: true, videoEnabled: null))).Error);
        await room.Polls.CreateAsync(guestIn.Peer, Poll("lunch?"));
        await room.SetMutedAsync(guestIn.Peer, audioEnabled: null, videoEnabled: true); // the camera it keeps

        // The preset read again (as a front end does before a privileged request) does not undo the change; a later one adds to it.
        guestIn.Peer.Permissions = guest.Permissions;
        Assert.False(guestIn.Peer.Permissions.ChatCanSend);
        await room.UpdatePermissionsAsync(hostIn.Peer, [(guest.Participant.Id, new() { ChatPublic = new ChatScopePatch(true, null, null, null) })]);
        await room.Chat.SendAsync(guestIn.Peer, "thanks");
        Assert.Equal((PresetAccess.NotAllowed, true), (guestIn.Peer.Permissions.AudioAccess, guestIn.Peer.Permissions.PollsCanCreate));
    }

    [Fact]
    public async Task AHostsChangeHoldsEveryConnectionOfTheParticipantAndIsKeptWithinABound()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host");
        var guest = await GuestAsync(api, meeting, "guest", "group_call_participant");
        var hostIn = await EnterAsync(api, host, "Host");
        var guestIn = await EnterAsync(api, guest, "Guest");
        var room = hostIn.Room;

        // The guest also chats from a widget that never joins (a chat member, as RealtimeKit's socket makes one) and has a second tab.
        var widget = new RoomPeer("widget-peer", guest.Participant, guest.Permissions, "Guest", DateTimeOffset.UtcNow, Rooms.ChangesOf(guest.Participant))
        {
            Client = await GuestAsync(api, meeting, guest.Participant),
        };
        var secondTab = await EnterAsync(api, await GuestAsync(api, meeting, guest.Participant), "Guest");
        await room.UpdatePermissionsAsync(hostIn.Peer, [(guest.Participant.Id, new PermissionPatch { ChatPublic = new ChatScopePatch(false, null, null, null) })]);

        // Every connection of the guest is held to it: both peers, the chat member, and a tab that joins afterwards.
        var thirdTab = await EnterAsync(api, await GuestAsync(api, meeting, guest.Participant), "Guest");
        Assert.All(new[] { guestIn.Peer, secondTab.Peer, widget, thirdTab.Peer }, p => Assert.False(p.Permissions.ChatCanSend));
        await Assert.ThrowsAsync<DomainException>(() => room.Chat.SendAsync(secondTab.Peer, "from the second tab"));

        // The same change again is kept once; past the bound of distinct changes, refused.
        for (int i = 0; i < PermissionChanges.MaxChanges * 2; i++)
        {
            await room.UpdatePermissionsAsync(hostIn.Peer, [(guest.Participant.Id, new PermissionPatch { ChatPublic = new ChatScopePatch(false, null, null, null) })]);
        }

        for (int i = 1; i < PermissionChanges.MaxChanges; i++)
        {
            await room.UpdatePermissionsAsync(hostIn.Peer, [(guest.Participant.Id, new PermissionPatch { PollsCanCreate = i % 2 == 0 })]);
        }

        var tooMany = await Assert.ThrowsAsync<DomainException>(() => room.UpdatePermissionsAsync(hostIn.Peer, [(guest.Participant.Id, new PermissionPatch { PollsCanCreate = true })]));
        Assert.Equal((DomainError.TooMany, $"the permissions of participant {guest.Participant.Id} were changed 64 times this session, the most that is kept"),
            (tooMany.Error, tooMany.Message));
        Assert.False(guestIn.Peer.Permissions.PollsCanCreate); // the last kept (63: odd) took it away
    }

    [Fact]
    public async Task AClientAdmittedWhileStillAChatMemberHearsAMessageOnce()
    {
        var (api, meeting) = await MeetingAsync();
        var host = await GuestAsync(api, meeting, "host");
        var widget = await GuestAsync(api, meeting, "widget");
        var hostIn = await EnterAsync(api, host, "Host");

        // The widget's socket chatted before joining; its join is admitted before the socket stops being a chat member.
        var member = new RoomPeer("widget-peer", widget.Participant, widget.Permissions, "Widget", DateTimeOffset.UtcNow) { Client = widget };
        Rooms.AddChatMember(member);
        await EnterAsync(api, widget, "Widget");
        await hostIn.Room.Chat.SendAsync(hostIn.Peer, "welcome");
        Rooms.RemoveChatMember(member);

        Assert.Equal("welcome", Assert.Single(widget.Heard<ChatPosted>()).Message.Payload);
    }

    private async Task<Admission.Entered> EnterAsync(StagecastApiClient api, Guest guest, string name, string? resume = null) =>
        Assert.IsType<Admission.Entered>(await Rooms.AdmitAsync(guest, api.AccountId, name, resume));

    /// <summary>A new participant of the meeting with this preset, and a connection of it.</summary>
    private async Task<Guest> GuestAsync(StagecastApiClient api, string meeting, string customId, string preset = "group_call_host")
    {
        var created = await api.AddParticipantAsync(meeting, customId, preset);
        var participant = await server.App.Services.GetRequiredService<IParticipantStore>().FindAsync(created.Id, CancellationToken.None);
        return await GuestAsync(api, meeting, participant!);
    }

    /// <summary>Another connection of a participant.</summary>
    private async Task<Guest> GuestAsync(StagecastApiClient api, string meeting, Participant participant)
    {
        var preset = await server.App.Services.GetRequiredService<IPresetStore>().FindAsync(api.AppId, participant.PresetId, CancellationToken.None);
        Assert.Equal(meeting, participant.MeetingId);
        return new Guest(participant, preset!.Effective);
    }

    /// <summary>A front end of the test's own: one connection of a participant, keeping what its room told it.</summary>
    private sealed class Guest(Participant participant, PresetPermissions permissions) : IRoomClient
    {
        private readonly List<RoomEvent> _heard = [];

        public Participant Participant { get; } = participant;

        public PresetPermissions Permissions { get; } = permissions;

        /// <summary>While set, app messages to this connection wait on it, as a slow one's would; <see cref="Holding"/> says one does.</summary>
        public ManualResetEventSlim? Hold { get; set; }

        public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Notify(RoomPeer peer, RoomEvent change)
        {
            if (change is AppMessageSent && Hold is { } hold)
            {
                Holding.TrySetResult();
                hold.Wait();
            }

            lock (_heard)
            {
                _heard.Add(change);
            }
        }

        public List<T> Heard<T>()
            where T : RoomEvent
        {
            lock (_heard)
            {
                return [.. _heard.OfType<T>()];
            }
        }
    }

    /// <summary>The server on a fake clock (its rooms' timers: reconnect grace, keep-alive).</summary>
    public sealed class Server : ServerFixture
    {
        public Server()
            : this(new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero)))
        {
        }

        private Server(FakeTimeProvider clock)
            : base(OnManualClock([]), builder => builder.Services.AddSingleton<TimeProvider>(clock)) => Clock = clock;

        public FakeTimeProvider Clock { get; }
    }
}
