using Stagecast.Server.Features.MeetingSessions;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// A poll as one viewer may see it, in RealtimeKit's shape. Anonymous polls show counts but not who voted; polls that
/// hide votes show counts and votes only to those who have voted and to the poll's creator.
/// </summary>
public sealed record PollView(string Id, string Question, IReadOnlyList<PollOptionView> Options, bool Anonymous, bool HideVotes, string? CreatedBy, IReadOnlyList<string> Voted)
{
    /// <summary>The poll as participant <paramref name="viewerParticipantId"/> sees it; null for the API, which sees everything.</summary>
    public static PollView For(Poll poll, string? viewerParticipantId)
    {
        bool reveal = !poll.HideVotes || viewerParticipantId is null || poll.CreatedBy == viewerParticipantId
            || poll.Votes.Any(v => v.ParticipantId == viewerParticipantId);
        var options = poll.Options.Select((text, index) =>
        {
            var votes = poll.Votes.Where(v => v.Option == index).ToList();
            return new PollOptionView(
                text,
                reveal ? votes.Count : 0,
                reveal && !poll.Anonymous ? votes.Select(v => new PollVoterView(v.ParticipantId, v.DisplayName)).ToList() : []);
        }).ToList();
        // Who voted is a result too: a viewer who may not see results yet (it has not voted) learns nothing of it.
        IReadOnlyList<string> voted = poll.Anonymous || !reveal ? [] : [.. poll.Votes.Select(v => v.ParticipantId)];
        return new PollView(poll.Id, poll.Question, options, poll.Anonymous, poll.HideVotes, poll.CreatedBy, voted);
    }
}

public sealed record PollOptionView(string Text, int Count, IReadOnlyList<PollVoterView> Votes);

public sealed record PollVoterView(string Id, string? Name);
