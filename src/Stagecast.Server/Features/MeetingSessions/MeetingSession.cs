namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// One meeting session: from the first participant's join to its end (keep-alive after the last left, kick-all, or
/// the meeting made inactive). <see cref="ParticipantSeconds"/> and <see cref="LiveParticipants"/> come from its peers.
/// </summary>
public sealed record MeetingSession(
    string Id,
    string MeetingId,
    string AppId,
    string AccountId,
    string? MeetingDisplayName,
    long MaxConcurrentParticipants,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? EndReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    double ParticipantSeconds = 0,
    long LiveParticipants = 0)
{
    public bool IsLive => EndedAt is null;
}

/// <summary>A participant's presence in a session, from join to leave; a reconnect within the grace period continues it.</summary>
public sealed record MeetingSessionPeer(
    string Id,
    string SessionId,
    string ParticipantId,
    string CustomParticipantId,
    string? DisplayName,
    string? PresetName,
    DateTimeOffset JoinedAt,
    DateTimeOffset? LeftAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// A chat message of a session; a private one names the participants it is for (<see cref="TargetUserIds"/>, the
/// sender's included), and only they see it.
/// </summary>
public sealed record ChatMessage(
    string Id,
    string SessionId,
    string MeetingId,
    string ParticipantId,
    string? PeerId,
    string? DisplayName,
    string PayloadType,
    string Payload,
    bool Pinned,
    bool IsEdited,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string>? TargetUserIds = null)
{
    /// <summary>Whether <paramref name="participantId"/> may see it: a public message everyone (who receives chat), a private one its targets.</summary>
    public bool IsFor(string participantId) => TargetUserIds is null || TargetUserIds.Contains(participantId);
}

/// <summary>A poll of a session with its votes.</summary>
public sealed record Poll(
    string Id,
    string SessionId,
    string MeetingId,
    string? CreatedBy,
    string Question,
    IReadOnlyList<string> Options,
    bool Anonymous,
    bool HideVotes,
    DateTimeOffset CreatedAt,
    IReadOnlyList<PollVote> Votes);

public sealed record PollVote(string ParticipantId, string? DisplayName, int Option, DateTimeOffset CreatedAt);

public sealed record MeetingSessionFilter(
    string? MeetingId,
    bool? Live,
    DateTimeOffset? StartedFrom,
    DateTimeOffset? StartedTo,
    string? Search,
    bool SortByMinutes,
    bool Ascending,
    string? ParentMeetingId = null);
