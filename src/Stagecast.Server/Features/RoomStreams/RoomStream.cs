namespace Stagecast.Server.Features.RoomStreams;

/// <summary>A room stream as stored: <see cref="SealedUrl"/> carries the destination's stream key.</summary>
public sealed record RoomStream(
    string Id,
    string AppId,
    string MeetingId,
    string SessionId,
    byte[] SealedUrl,
    string MaskedUrl,
    bool Completed,
    string Status,
    string? LastError,
    long BytesSent,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt);

public interface IRoomStreamStore
{
    Task CreateAsync(RoomStream stream, CancellationToken cancellationToken);

    Task CompleteAsync(string id, DateTimeOffset endedAt, string status, string? lastError, long bytesSent, CancellationToken cancellationToken);

    Task<RoomStream?> FindAsync(string appId, string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<RoomStream>> ListBySessionAsync(string appId, string sessionId, CancellationToken cancellationToken);

    /// <summary>Streams left unfinished by a server that stopped: completed at start.</summary>
    Task<int> CompleteUnfinishedAsync(DateTimeOffset endedAt, IReadOnlyCollection<string> excludeNodes, CancellationToken cancellationToken);
}
