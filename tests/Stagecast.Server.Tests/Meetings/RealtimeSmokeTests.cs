using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

[Collection(ServerCollection.Name)]
public sealed class RealtimeSmokeTests(ServerFixture server)
{
    [Fact]
    public async Task TwoPeersJoinAndChat()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var alice = await api.AddParticipantAsync(meeting, "alice");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        var (a, aJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, alice);
        await using var _ = a;
        var (b, bJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, bob);
        await using var __ = b;
        var joined = await a.WaitForEventAsync("peer_joined");
        Assert.Equal(bJoined.GetProperty("peer_id").GetString(), joined.GetProperty("peer").GetProperty("id").GetString());
        await b.OkAsync("chat_send", new { text = "hi" });
        var chat = await a.WaitForEventAsync("chat_message");
        Assert.Equal("hi", chat.GetProperty("message").GetProperty("text").GetString());
    }
}
