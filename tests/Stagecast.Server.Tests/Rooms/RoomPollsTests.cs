using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Tests.Rooms;

/// <summary>The room's polls alone, on a room of fake peers and a store in memory: who creates, votes and hears, and the bounds.</summary>
[Trait("Category", "InProcess")]
public sealed class RoomPollsTests
{
    private readonly TestRoom _room = new();
    private readonly RoomStore _store = new();

    [Fact]
    public async Task APollIsCreatedAsPresetsAllowAndHeardByThoseWhoSeePolls()
    {
        var polls = new RoomPolls(_room, _store, maxPolls: 10, _room.Clock);
        var (host, hostHears) = _room.Add("Host");
        var (guest, guestHears) = _room.Add("Guest", "group_call_participant");
        var (_, blindHears) = _room.Add("Blind", permissions: TestRoom.PresetOf("group_call_participant") with { PollsCanView = false });

        var refused = await Assert.ThrowsAsync<DomainException>(() => polls.CreateAsync(guest, Poll("lunch?")));
        Assert.Equal((DomainError.Forbidden, "your preset does not allow creating polls"), (refused.Error, refused.Message));
        Assert.Empty(await polls.ListAsync());

        var poll = await polls.CreateAsync(host, Poll("lunch?"));
        var app = await polls.CreateAsync(null, Poll("dinner?")); // the app's (REST)
        Assert.Equal([poll.Id, app.Id], guestHears.Heard<PollChanged>().Select(c => c.Poll.Id));
        Assert.Equal(2, hostHears.Heard<PollChanged>().Count);
        Assert.Empty(blindHears.Heard<PollChanged>());
        Assert.Equal([poll.Id, app.Id], (await polls.ListAsync()).Select(p => p.Id));
        Assert.Equal(1, _store.Reads); // read once, then kept as polls change
        Assert.Equal(("Host", null), (polls.CreatorName(poll), polls.CreatorName(app)));
    }

    [Fact]
    public async Task AParticipantVotesOnceInAPollOfThisSession()
    {
        var polls = new RoomPolls(_room, _store, maxPolls: 10, _room.Clock);
        var (host, _) = _room.Add("Host");
        var (guest, guestHears) = _room.Add("Guest", "group_call_participant");
        var (mute, _) = _room.Add("Mute", permissions: TestRoom.PresetOf("group_call_participant") with { PollsCanVote = false });
        var poll = await polls.CreateAsync(host, Poll("lunch?", hideVotes: true));

        await polls.VoteAsync(host, poll.Id, 1);
        Assert.Equal(0, PollView.For(guestHears.Heard<PollChanged>()[^1].Poll, guest.Participant.Id).Options[1].Count); // hidden until it votes
        Assert.Equal(2, PollView.For((await polls.VoteAsync(guest, poll.Id, 1)), guest.Participant.Id).Options[1].Count);
        Assert.Equal(2, (await polls.ListAsync()).Single().Votes.Count);

        Assert.Equal(DomainError.Conflict, (await Assert.ThrowsAsync<DomainException>(() => polls.VoteAsync(guest, poll.Id, 0))).Error);
        Assert.Equal(DomainError.Forbidden, (await Assert.ThrowsAsync<DomainException>(() => polls.VoteAsync(mute, poll.Id, 0))).Error);
        var outOfRange = await Assert.ThrowsAsync<DomainException>(() => polls.VoteAsync(host, poll.Id, 2));
        Assert.Equal((DomainError.BadRequest, "\"option\" must be from 0 to 1"), (outOfRange.Error, outOfRange.Message));
        Assert.Equal(DomainError.NotFound, (await Assert.ThrowsAsync<DomainException>(() => polls.VoteAsync(host, "nobody's", 0))).Error);

        // A poll of another session (a meeting's earlier one) is none of this session's.
        _room.SessionId = "session-2";
        Assert.Equal(DomainError.NotFound, (await Assert.ThrowsAsync<DomainException>(() => polls.VoteAsync(host, poll.Id, 0))).Error);
    }

    [Fact]
    public async Task ASessionHoldsItsBoundOfPollsAndNoneOnceItEnds()
    {
        var polls = new RoomPolls(_room, _store, maxPolls: 2, _room.Clock);
        var (host, _) = _room.Add("Host");
        var first = await polls.CreateAsync(host, Poll("one?"));
        await polls.CreateAsync(host, Poll("two?"));
        var full = await Assert.ThrowsAsync<DomainException>(() => polls.CreateAsync(host, Poll("three?")));
        Assert.Equal((DomainError.TooLarge, "this session has its maximum of 2 polls; polls open again with the next session"), (full.Error, full.Message));

        // The creator's name is the one it had then; for a poll of an earlier room of the session, a peer of its creator present now.
        host.Name = "Renamed";
        Assert.Equal("Host", polls.CreatorName(first));
        Assert.Equal("Renamed", new RoomPolls(_room, _store, maxPolls: 2, _room.Clock).CreatorName(first));

        await polls.CloseAsync();
        var ended = await Assert.ThrowsAsync<DomainException>(() => polls.CreateAsync(null, Poll("after?")));
        Assert.Equal((DomainError.Conflict, "the meeting has no session in progress"), (ended.Error, ended.Message));
        Assert.Equal(DomainError.NotFound, (await Assert.ThrowsAsync<DomainException>(() => polls.VoteAsync(host, first.Id, 0))).Error);
    }

    private static PollRequest Poll(string question, bool hideVotes = false) => new() { Question = question, Options = ["yes", "no"], HideVotes = hideVotes };
}
