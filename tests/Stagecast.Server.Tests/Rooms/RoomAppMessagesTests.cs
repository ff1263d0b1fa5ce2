using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Tests.Rooms;

/// <summary>App messages alone, on a room of fake peers: to whom they go, who may send, and each sender's rate.</summary>
[Trait("Category", "InProcess")]
public sealed class RoomAppMessagesTests
{
    private readonly TestRoom _room = new();

    [Fact]
    public void AMessageReachesTheOtherConnectedPeersOrThoseNamedNeverItsSender()
    {
        var messages = new RoomAppMessages(_room, perSecond: 5, _room.Clock);
        var (ada, adaHears) = _room.Add("Ada");
        var (bob, bobHears) = _room.Add("Bob");
        var (cy, cyHears) = _room.Add("Cy");
        var (away, awayHears) = _room.Add("Away");
        away.Client = null; // within its reconnect grace: it misses what is sent meanwhile

        Assert.Equal(2, messages.Send(Message("bid", ada)));
        Assert.Equal(1, messages.Send(Message("cursor", ada), new HashSet<string> { cy.Id, "nobody" }));
        Assert.Equal(3, messages.Send(Message("notice", from: null))); // the app's (REST): every connected peer
        Assert.DoesNotContain(adaHears.Heard<AppMessageSent>(), m => m.Message.From == ada);
        Assert.Equal([("bid", false), ("notice", false)], bobHears.Heard<AppMessageSent>().Select(m => (m.Message.Type, m.ToChosenPeers)));
        Assert.Equal([("bid", false), ("cursor", true), ("notice", false)], cyHears.Heard<AppMessageSent>().Select(m => (m.Message.Type, m.ToChosenPeers)));
        Assert.Empty(awayHears.Heard<AppMessageSent>());
    }

    [Fact]
    public void APeerSendsAtItsRateAndOnlyWhileInTheRoom()
    {
        var messages = new RoomAppMessages(_room, perSecond: 5, _room.Clock);
        var (ada, _) = _room.Add("Ada");
        var (bob, bobHears) = _room.Add("Bob");

        for (int i = 0; i < 10; i++)
        {
            messages.Send(Message("bid", ada)); // a burst of twice the rate
        }

        var refused = Assert.Throws<DomainException>(() => messages.Send(Message("bid", ada)));
        Assert.Equal((DomainError.TooMany, "a peer may send 5 app messages a second; slow down"), (refused.Error, refused.Message));
        messages.Send(Message("bid", bob)); // each peer has its own
        _room.Clock.Advance(TimeSpan.FromSeconds(1));
        messages.Send(Message("bid", ada));
        Assert.Equal(11, bobHears.Heard<AppMessageSent>().Count);

        _room.Remove(bob);
        var gone = Assert.Throws<DomainException>(() => messages.Send(Message("bid", bob)));
        Assert.Equal((DomainError.Conflict, "join the meeting first"), (gone.Error, gone.Message));
    }

    private AppMessage Message(string type, RoomPeer? from) => AppMessage.Create(type, "{}"u8.ToArray(), from, _room.Clock.GetUtcNow());
}
