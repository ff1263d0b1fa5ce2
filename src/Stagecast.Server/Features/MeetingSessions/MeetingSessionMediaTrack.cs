namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// One track a peer sent (producer: what reached the server of it) or received (consumer: what the server sent it and
/// what its receiver reports said) in a session. <see cref="EndedAt"/> is null while the track is live.
/// </summary>
public sealed record MeetingSessionMediaTrack(
    string Id,
    string SessionId,
    string PeerId,
    bool Producer,
    bool Video,
    string Source,
    string ProducerId,
    string? RemotePeerId,
    string Codec,
    uint Ssrc,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    long Packets,
    long Bytes,
    long PacketsLost,
    double? JitterMs);

/// <summary>The media figures of a session's peers (meeting media provides them).</summary>
public interface IMeetingSessionMediaStats
{
    Task<IReadOnlyList<MeetingSessionMediaTrack>> ListAsync(string sessionId, IReadOnlyCollection<string> peerIds, CancellationToken cancellationToken);
}
