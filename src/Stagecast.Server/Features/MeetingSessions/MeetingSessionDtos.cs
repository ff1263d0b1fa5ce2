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
public sealed record MeetingSessionParticipantDto(
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
    public static MeetingSessionParticipantDto From(MeetingSessionPeer peer, DateTimeOffset now) => new(
        peer.Id, peer.ParticipantId, peer.CustomParticipantId, peer.DisplayName, peer.PresetName, peer.JoinedAt, peer.LeftAt,
        MeetingSessionDto.Minutes(((peer.LeftAt ?? now) - peer.JoinedAt).TotalSeconds), peer.CreatedAt, peer.UpdatedAt);

    /// <summary>All joins of one participant as one row.</summary>
    public static MeetingSessionParticipantDto Consolidate(IReadOnlyList<MeetingSessionPeer> peers, DateTimeOffset now)
    {
        var first = peers.MinBy(p => p.JoinedAt)!;
        var last = peers.MaxBy(p => p.UpdatedAt)!;
        return new MeetingSessionParticipantDto(
            first.ParticipantId, first.ParticipantId, first.CustomParticipantId, last.DisplayName, last.PresetName, first.JoinedAt,
            peers.Any(p => p.LeftAt is null) ? null : peers.Max(p => p.LeftAt),
            MeetingSessionDto.Minutes(peers.Sum(p => ((p.LeftAt ?? now) - p.JoinedAt).TotalSeconds)), first.CreatedAt, last.UpdatedAt);
    }
}

public sealed record MeetingSessionListDto(IReadOnlyList<MeetingSessionDto> Sessions);

public sealed record MeetingSessionParticipantsDto(IReadOnlyList<MeetingSessionParticipantDto> Participants);

/// <summary>A participant of a session and what it sent and received (<c>peer_report</c>, in RealtimeKit's call-stats shape).</summary>
public sealed record MeetingSessionParticipantDetailsDto(MeetingSessionParticipantDto Participant, PeerReportDto PeerReport);

public sealed record PeerReportDto(QualityDto Quality);

/// <summary><c>GET /sessions/peer-report/{peer_id}</c>'s answer: <c>{"participant": …}</c>.</summary>
public sealed record PeerReportDetailsDto(PeerReportParticipantDto Participant);

/// <summary>
/// One peer of a session in the shape of RealtimeKit's peer report: <c>id</c> is the peer id, <c>user_id</c> the
/// participant's, <c>role</c> its preset's name, <c>duration</c> minutes; <c>peer_events</c> its joining and leaving.
/// </summary>
public sealed record PeerReportParticipantDto(
    string Id,
    string SessionId,
    string UserId,
    string CustomParticipantId,
    string? DisplayName,
    string? Role,
    DateTimeOffset JoinedAt,
    DateTimeOffset? LeftAt,
    double Duration,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<PeerEventDto> PeerEvents,
    PeerReportDto PeerReport)
{
    public static PeerReportParticipantDto From(MeetingSessionPeer peer, PeerReportDto report, DateTimeOffset now)
    {
        var joined = MeetingSessionParticipantDto.From(peer, now);
        List<PeerEventDto> events = [PeerEventDto.Of(peer, "PEER_JOINING", peer.JoinedAt)];
        if (peer.LeftAt is { } left)
        {
            events.Add(PeerEventDto.Of(peer, "PEER_LEAVING", left));
        }

        return new(peer.Id, peer.SessionId, peer.ParticipantId, peer.CustomParticipantId, peer.DisplayName, peer.PresetName, peer.JoinedAt, peer.LeftAt,
            joined.Duration, peer.CreatedAt, peer.UpdatedAt, events, report);
    }
}

/// <summary>A connection event of a peer (RealtimeKit's <c>PEER_JOINING</c>, <c>PEER_LEAVING</c>).</summary>
public sealed record PeerEventDto(string Id, string EventName, string PeerId, string ParticipantId, string SessionId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static PeerEventDto Of(MeetingSessionPeer peer, string name, DateTimeOffset at) =>
        new($"{peer.Id}-{name.ToLowerInvariant()}", name, peer.Id, peer.ParticipantId, peer.SessionId, at, at);
}

/// <summary>
/// RealtimeKit's quality statistics, with what an SFU measures: per track a peer published (producer) and received
/// (consumer), by kind and source.
/// </summary>
public sealed record QualityDto(
    IReadOnlyList<MediaStatsDto> AudioProducer,
    IReadOnlyList<MediaStatsDto> VideoProducer,
    IReadOnlyList<MediaStatsDto> ScreenshareAudioProducer,
    IReadOnlyList<MediaStatsDto> ScreenshareVideoProducer,
    IReadOnlyList<MediaStatsDto> AudioConsumer,
    IReadOnlyList<MediaStatsDto> VideoConsumer,
    IReadOnlyList<MediaStatsDto> ScreenshareAudioConsumer,
    IReadOnlyList<MediaStatsDto> ScreenshareVideoConsumer)
{
    public static QualityDto From(IReadOnlyList<MeetingSessionMediaTrack> tracks, DateTimeOffset now)
    {
        IReadOnlyList<MediaStatsDto> Of(bool producer, bool video, string source) =>
            [.. tracks.Where(t => t.Producer == producer && t.Video == video && t.Source == source).OrderBy(t => t.StartedAt).Select(t => MediaStatsDto.From(t, now))];

        return new QualityDto(
            Of(true, false, "camera"), Of(true, true, "camera"), Of(true, false, "screenshare"), Of(true, true, "screenshare"),
            Of(false, false, "camera"), Of(false, true, "camera"), Of(false, false, "screenshare"), Of(false, true, "screenshare"));
    }
}

/// <summary>
/// One track's figures. For a producer, <c>packets_sent</c> counts what the peer sent (received plus lost on the way in)
/// and <c>bytes_sent</c> what arrived; for a consumer, what the server sent it and the loss and jitter it reported.
/// <c>bitrate</c> is the average in kbit/s; <c>peer_id</c> of a consumer is the peer it watched. A consumer also says how
/// its subscriber's connection allocated it (Stagecast's, with congestion control): <c>layer</c> the simulcast layer it
/// was sent last (RID; null without layers), <c>layer_switches</c> and <c>pauses</c> how often it changed layer and was
/// paused to fit the downlink, <c>estimate</c> the connection's downlink estimate in kbit/s (null before any feedback).
/// </summary>
public sealed record MediaStatsDto(
    string Id,
    string ProducerId,
    string? PeerId,
    string Codec,
    uint Ssrc,
    long? PacketsSent,
    long? BytesSent,
    long? PacketsReceived,
    long? BytesReceived,
    long PacketsLost,
    double? Jitter,
    double Bitrate,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? Layer = null,
    long? LayerSwitches = null,
    long? Pauses = null,
    double? Estimate = null)
{
    public static MediaStatsDto From(MeetingSessionMediaTrack track, DateTimeOffset now)
    {
        double seconds = Math.Max(0.001, ((track.EndedAt ?? now) - track.StartedAt).TotalSeconds);
        double kbps = Math.Round(track.Bytes * 8 / seconds / 1000, 1);
        return track.Producer
            ? new MediaStatsDto(track.Id, track.ProducerId, null, track.Codec, track.Ssrc, track.Packets + track.PacketsLost, track.Bytes, null, null,
                track.PacketsLost, track.JitterMs, kbps, track.StartedAt, track.EndedAt)
            : new MediaStatsDto(track.Id, track.ProducerId, track.RemotePeerId, track.Codec, track.Ssrc, null, null,
                Math.Max(0, track.Packets - track.PacketsLost), track.Bytes, track.PacketsLost, track.JitterMs, kbps, track.StartedAt, track.EndedAt,
                track.Layer, track.LayerSwitches, track.Pauses, track.EstimateBps is { } estimate ? Math.Round(estimate / 1000.0, 1) : null);
    }
}

public sealed record ChatDownloadDto(string ChatDownloadUrl, DateTimeOffset ChatDownloadUrlExpiry);
