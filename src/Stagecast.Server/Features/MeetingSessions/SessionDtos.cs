namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>A meeting session in RealtimeKit's shape; minutes are participant minutes, to the millisecond.</summary>
public sealed record MeetingSessionDto(
    string Id,
    string AssociatedId,
    string? MeetingDisplayName,
    string Type,
    string Status,
    long LiveParticipants,
    long MaxConcurrentParticipants,
    double MinutesConsumed,
    string OrganizationId,
    string? EndReason,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<object> BreakoutRooms)
{
    public static MeetingSessionDto From(MeetingSession s) => new(
        s.Id, s.MeetingId, s.MeetingDisplayName, "meeting", s.IsLive ? "LIVE" : "ENDED", s.IsLive ? s.LiveParticipants : 0, s.MaxConcurrentParticipants,
        Minutes(s.ParticipantSeconds), s.AccountId, s.EndReason, s.StartedAt, s.EndedAt, s.CreatedAt, s.UpdatedAt, []);

    public static double Minutes(double seconds) => Math.Round(seconds / 60, 3);
}

/// <summary>
/// A participant's presence in a session. In the raw view each join is a row (<c>id</c> is the peer id); in the
/// consolidated view each participant is (<c>id</c> is the participant id). <c>duration</c> is in minutes.
/// </summary>
public sealed record SessionParticipantDto(
    string Id,
    string UserId,
    string CustomParticipantId,
    string? DisplayName,
    string? PresetName,
    DateTimeOffset JoinedAt,
    DateTimeOffset? LeftAt,
    double Duration,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static SessionParticipantDto From(SessionPeer peer, DateTimeOffset now) => new(
        peer.Id, peer.ParticipantId, peer.CustomParticipantId, peer.DisplayName, peer.PresetName, peer.JoinedAt, peer.LeftAt,
        MeetingSessionDto.Minutes(((peer.LeftAt ?? now) - peer.JoinedAt).TotalSeconds), peer.CreatedAt, peer.UpdatedAt);

    /// <summary>All joins of one participant as one row.</summary>
    public static SessionParticipantDto Consolidate(IReadOnlyList<SessionPeer> peers, DateTimeOffset now)
    {
        var first = peers.MinBy(p => p.JoinedAt)!;
        var last = peers.MaxBy(p => p.UpdatedAt)!;
        return new SessionParticipantDto(
            first.ParticipantId, first.ParticipantId, first.CustomParticipantId, last.DisplayName, last.PresetName, first.JoinedAt,
            peers.Any(p => p.LeftAt is null) ? null : peers.Max(p => p.LeftAt),
            MeetingSessionDto.Minutes(peers.Sum(p => ((p.LeftAt ?? now) - p.JoinedAt).TotalSeconds)), first.CreatedAt, last.UpdatedAt);
    }
}

public sealed record SessionListDto(IReadOnlyList<MeetingSessionDto> Sessions);

public sealed record SessionParticipantsDto(IReadOnlyList<SessionParticipantDto> Participants);

public sealed record SessionParticipantDetailsDto(SessionParticipantDto Participant);

public sealed record ChatDownloadDto(string ChatDownloadUrl, DateTimeOffset ChatDownloadUrlExpiry);
