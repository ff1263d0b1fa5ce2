namespace Stagecast.Server.Persistence;

public sealed record Account(string Id, string? Name, DateTimeOffset CreatedAt);

public sealed record App(string Id, string AccountId, string? Name, DateTimeOffset CreatedAt);

/// <summary>An API token: only its SHA-256 digest and a display prefix are stored.</summary>
public sealed record ApiToken(string Id, string AccountId, byte[] Hash, string Prefix, string? Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A livestream as stored: the stream key sealed (encrypted) and its lookup digest.</summary>
public sealed record Livestream(
    string Id,
    string AppId,
    string? Name,
    string? MeetingId,
    byte[] SealedStreamKey,
    byte[] StreamKeyHash,
    LivestreamStatus Status,
    bool Disabled,
    bool ManualIngest,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One continuous broadcast of a livestream.</summary>
public sealed record LivestreamSession(
    string Id,
    string LivestreamId,
    string AppId,
    string? ErrMessage,
    DateTimeOffset? InvokedTime,
    DateTimeOffset? StartedTime,
    DateTimeOffset? StoppedTime,
    double IngestSeconds,
    double ViewerSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public enum LivestreamStatus
{
    Idle,
    Invoked,
    Live,
    Errored,
}

/// <summary>One page of a list, with the total count across all pages.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long TotalCount);

/// <summary>Paging as the API defines it: 1-based page number and page size.</summary>
public readonly record struct Paging(int PageNo, int PerPage)
{
    public int Offset => (PageNo - 1) * PerPage;
}

public sealed record LivestreamFilter(
    IReadOnlyList<LivestreamStatus>? Statuses,
    bool ExcludeMeetings,
    DateTimeOffset? CreatedFrom,
    DateTimeOffset? CreatedTo,
    bool Ascending);

/// <summary>Session totals for analytics: count, ingest and viewer seconds.</summary>
public sealed record SessionTotals(long Count, double IngestSeconds, double ViewerSeconds);

public sealed record DailySessionTotals(DateOnly Date, long Count, double IngestSeconds, double ViewerSeconds);

/// <summary>Progress of a live session written periodically.</summary>
public readonly record struct SessionProgress(string SessionId, double IngestSeconds, double ViewerSeconds, DateTimeOffset UpdatedAt);

/// <summary>A restream destination of a livestream; its stream key is sealed.</summary>
public sealed record LivestreamOutput(
    string Id,
    string LivestreamId,
    string AppId,
    string Url,
    byte[] SealedStreamKey,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
