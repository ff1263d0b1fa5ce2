using Stagecast.RealtimeKit.Protocol.Presets;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Chat = Stagecast.RealtimeKit.Protocol.Chat;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// A host changing others' permissions for the session on RealtimeKit's socket (presets event 1, as the SDK's
/// <c>participants.updatePermissions</c> sends it): only with <c>can_change_participant_permissions</c>; the target is
/// pushed the patch its SDK merges, and the server holds it to the change.
/// </summary>
public sealed class RealtimeKitPermissionsTests : RealtimeKitSocketTests
{
    [Fact]
    public async Task AHostTakesAParticipantsChatAndMicrophoneTheParticipantIsToldAndHeldToIt()
    {
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobMedia = await RealtimeKitMediaClient.JoinAsync(HttpsPort, Tls.Certificate, bob.Token);
        var bobSocket = bobMedia.Socket;
        var patch = new PresetUpdates
        {
            Chat = new ChatPermissionUpdate { Public = new PublicChatPermission { CanSend = false } },
            Media = new MediaPermissionUpdate { Audio = new StreamPermission { CanProduce = StreamPermissionType.NotAllowed } },
            Polls = new PollsPermissionUpdate { CanCreate = true },
            HiddenParticipant = true, // not taken: the server changes only what it enforces
        };
        var request = new UpdatePeersPresetRequest { UpdatePeersPresets = { new UpdatePeerPreset { UserIds = bob.Id, Patch = patch } } };

        // A participant's preset may not; the host's may, and is answered with its change.
        Assert.Contains("can_change_participant_permissions", RealtimeKitMediaClient.ErrorOf(await bobSocket.RequestAsync(Events.Presets.UpdateUserPreset, new UpdatePeersPresetRequest
        {
            UpdatePeersPresets = { new UpdatePeerPreset { UserIds = ada.Id, Patch = patch } },
        })));
        var answer = await adaSocket.RequestAsync(Events.Presets.UpdateUserPreset, request);
        Assert.False(RealtimeKitSocketClient.IsError(answer), RealtimeKitSocketClient.IsError(answer) ? RealtimeKitMediaClient.ErrorOf(answer) : null);
        Assert.Equal(bob.Id, UpdatePeersPresetResponse.Parser.ParseFrom(answer.Payload).UpdatePeersPresets.Single().UserIds);

        // Bob's SDK is pushed what changed for it, and nothing it was not given.
        var pushed = UpdatePeersPresetResponse.Parser.ParseFrom((await bobSocket.WaitForAsync(m => m.Event == Events.Presets.UpdateUserPreset && m.Id.Length == 0)).Payload);
        var told = Assert.Single(pushed.UpdatePeersPresets);
        Assert.Equal(bob.Id, told.UserIds);
        Assert.Equal((false, StreamPermissionType.NotAllowed, true, false), (told.Patch.Chat.Public.CanSend, told.Patch.Media.Audio.CanProduce, told.Patch.Polls.CanCreate, told.Patch.HasHiddenParticipant));
        Assert.Null(told.Patch.Media.Video);

        // The server holds Bob to it: no chat, no microphone; the polls it was given.
        var chat = await bobSocket.RequestAsync(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { Payload = "hello" });
        Assert.Contains("chat.public.can_send", RealtimeKitMediaClient.ErrorOf(chat));
        var poll = await bobSocket.RequestAsync(Events.Polls.CreatePoll, new Stagecast.RealtimeKit.Protocol.Polls.NewPollRequest { Question = "lunch?", Options = { "yes", "no" } });
        Assert.False(RealtimeKitSocketClient.IsError(poll));
        await bobMedia.CreateSendTransportAsync();
        Assert.Equal("your preset does not allow producing audio", RealtimeKitMediaClient.ErrorOf(await bobMedia.ProduceAsync("audio")));
        RealtimeKitMediaClient.Ok(await bobMedia.ProduceAsync("video")); // the camera it keeps
        Assert.DoesNotContain(adaSocket.Received, m => m.Event == Events.Presets.UpdateUserPreset && m.Id.Length == 0); // told to Bob only
    }

    [Fact]
    public async Task APeerOnTheJsonChannelIsToldItsPermissionsAsTheyAreNow()
    {
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var cy = await Api.AddParticipantAsync(meeting, "cy", "group_call_participant");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var channel = await RealtimeTestClient.ConnectAsync(Server.HttpBase, cy.Token, Tls.Certificate);
        var joined = await channel.OkAsync("join");
        Assert.True(joined.GetProperty("permissions").GetProperty("chat_private_can_send").GetBoolean());
        string adaPeer = joined.GetProperty("peers").EnumerateArray().Single(p => p.GetProperty("user_id").GetString() == ada.Id).GetProperty("id").GetString()!;

        var answer = await adaSocket.RequestAsync(Events.Presets.UpdateUserPreset, new UpdatePeersPresetRequest
        {
            UpdatePeersPresets = { new UpdatePeerPreset { UserIds = cy.Id, Patch = new PresetUpdates { Chat = new ChatPermissionUpdate { Private = new PrivateChatPermission { CanSend = false } } } } },
        });
        Assert.False(RealtimeKitSocketClient.IsError(answer));
        var updated = await channel.WaitForEventAsync("permissions_updated");
        Assert.Equal((false, true, adaPeer), (updated.GetProperty("permissions").GetProperty("chat_private_can_send").GetBoolean(),
            updated.GetProperty("permissions").GetProperty("chat_can_send").GetBoolean(), updated.GetProperty("by").GetString()));
        Assert.Equal(403, (await channel.RequestAsync("chat_send", new { text = "psst", to = new[] { adaPeer } })).GetProperty("code").GetInt32());
    }
}
