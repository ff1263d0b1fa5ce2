namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// One track a peer sent (producer: what reached the server of it) or received (consumer: what the server sent it and
/// what its receiver reports said) in a session. <see cref="EndedAt"/> is null while the track is live. A consumer's
/// <see cref="Layer"/>, <see cref="LayerSwitches"/>, <see cref="Pauses"/> and <see cref="EstimateBps"/> say how its
/// subscriber's connection allocated it (<see cref="MeetingMedia.ConsumedTrack"/>).
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
    double? JitterMs,
    string? Layer = null,
    long LayerSwitches = 0,
    long Pauses = 0,
    long? EstimateBps = null);

/// <summary>The media figures of a session's peers (meeting media provides them).</summary>
public interface IMeetingSessionMediaStats
{
    Task<IReadOnlyList<MeetingSessionMediaTrack>> ListAsync(string sessionId, IReadOnlyCollection<string> peerIds, CancellationToken cancellationToken);
}
