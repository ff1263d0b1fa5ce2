using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol.Polls;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// A poll on RealtimeKit's socket says who asked by the display name the creator had (the UI kit prints "Poll by"
/// <c>created_by</c>; it printed the participant id), and by participant id in <c>created_by_user_id</c>.
/// </summary>
public sealed class RealtimeKitPollCreatorTests : IAsyncLifetime
{
    private readonly TlsFiles _tls = new(RealtimeKitBrowser.Domain);
    private ServerFixture _server = null!;
    private StagecastApiClient _api = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerFixture.StartAsync([.. _tls.ServerFlags, "--realtimekit-base", RealtimeKitBrowser.Domain]);
        _api = await _server.NewTenantAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _tls.Dispose();
    }

    [Fact]
    public async Task APollIsByItsCreatorsDisplayName()
    {
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada", "group_call_host");
        await using var adaSocket = await JoinAsync(ada.Token, "Ada Lovelace");
        await using var bobSocket = await JoinAsync((await _api.AddParticipantAsync(meeting, "bob", "group_call_participant")).Token, "Bob");

        var created = await adaSocket.RequestAsync(Events.Polls.CreatePoll, new NewPollRequest { Question = "Lunch?", Options = { "pizza", "sushi" } });
        Assert.Equal(("Ada Lovelace", ada.Id), Creator(UpdatePollResponse.Parser.ParseFrom(created.Payload).Poll));
        var pushed = await bobSocket.WaitForAsync(m => m.Event == Events.Polls.CreatePoll && string.IsNullOrEmpty(m.Id));
        Assert.Equal(("Ada Lovelace", ada.Id), Creator(UpdatePollResponse.Parser.ParseFrom(pushed.Payload).Poll));

        (await _api.PostAsync($"/meetings/{meeting}/active-session/poll", """{"question":"From the app?","options":["a","b"]}""")).EnsureOk();
        var polls = GetPollsResponse.Parser.ParseFrom((await bobSocket.RequestAsync(Events.Polls.GetPolls, ByteString.Empty)).Payload).Polls;
        Assert.Equal([("Ada Lovelace", ada.Id), ("", "")], polls.Select(Creator));
    }

    private static (string Name, string UserId) Creator(Poll poll) => (poll.CreatedBy, poll.CreatedByUserId);

    private async Task<RealtimeKitSocketClient> JoinAsync(string token, string name)
    {
        var socket = await RealtimeKitSocketClient.ConnectAsync(new Uri(_server.HttpBase).Port, _tls.Certificate, token);
        Assert.False(RealtimeKitSocketClient.IsError(await socket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest { Peer = new Peer { DisplayName = name } })));
        return socket;
    }
}
