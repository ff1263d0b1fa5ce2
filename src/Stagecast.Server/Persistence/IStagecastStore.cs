namespace Stagecast.Server.Persistence;

/// <summary>
/// The one seam between Stagecast and its database. The API, the media plane and the services only use this;
/// SQLite implements it today, PostgreSQL can implement it without touching them.
/// </summary>
public interface IStagecastStore : IAccountStore, ILivestreamStore, IOutputStore
{
    /// <summary>Creates or upgrades the schema.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);
}

public interface IAccountStore
{
    Task<bool> HasAnyAccountAsync(CancellationToken cancellationToken);

    Task CreateAccountAsync(Account account, CancellationToken cancellationToken);

    Task<Account?> FindAccountAsync(string accountId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken);

    Task CreateAppAsync(App app, CancellationToken cancellationToken);

    Task<App?> FindAppAsync(string accountId, string appId, CancellationToken cancellationToken);

    Task<IReadOnlyList<App>> ListAppsAsync(string accountId, CancellationToken cancellationToken);

    Task CreateTokenAsync(ApiToken token, CancellationToken cancellationToken);

    /// <summary>Finds a token, revoked or not, by the digest of its value.</summary>
    Task<ApiToken?> FindTokenAsync(byte[] hash, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiToken>> ListTokensAsync(string accountId, CancellationToken cancellationToken);

    Task<bool> RevokeTokenAsync(string tokenId, DateTimeOffset revokedAt, CancellationToken cancellationToken);
}

public interface ILivestreamStore
{
    Task CreateLivestreamAsync(Livestream livestream, CancellationToken cancellationToken);

    /// <summary>A livestream of an app (not deleted).</summary>
    Task<Livestream?> FindLivestreamAsync(string appId, string livestreamId, CancellationToken cancellationToken);

    /// <summary>A livestream by id in any app (not deleted); for the media plane.</summary>
    Task<Livestream?> FindLivestreamAsync(string livestreamId, CancellationToken cancellationToken);

    Task<Livestream?> FindLivestreamByKeyHashAsync(byte[] keyHash, CancellationToken cancellationToken);

    Task<Page<Livestream>> ListLivestreamsAsync(string appId, LivestreamFilter filter, Paging paging, CancellationToken cancellationToken);

    Task UpdateStreamKeyAsync(string livestreamId, byte[] sealedKey, byte[] keyHash, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    Task SetDisabledAsync(string livestreamId, bool disabled, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    Task SetStatusAsync(string livestreamId, LivestreamStatus status, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    /// <summary>Soft delete: the livestream disappears from the API and its key stops working; its sessions stay for analytics.</summary>
    Task<bool> DeleteLivestreamAsync(string livestreamId, DateTimeOffset deletedAt, CancellationToken cancellationToken);

    /// <summary>Starts a session and marks its livestream live, in one transaction.</summary>
    Task StartSessionAsync(LivestreamSession session, CancellationToken cancellationToken);

    Task UpdateSessionProgressAsync(IReadOnlyCollection<SessionProgress> progress, CancellationToken cancellationToken);

    /// <summary>Ends a session with its final figures and sets its livestream's status, in one transaction.</summary>
    Task EndSessionAsync(LivestreamSession session, LivestreamStatus livestreamStatus, CancellationToken cancellationToken);

    Task<LivestreamSession?> FindSessionAsync(string appId, string sessionId, CancellationToken cancellationToken);

    /// <summary>Sessions of a livestream, newest first.</summary>
    Task<Page<LivestreamSession>> ListSessionsAsync(string livestreamId, Paging paging, CancellationToken cancellationToken);

    /// <summary>Sessions that started and never stopped (the server stopped while they were live).</summary>
    Task<IReadOnlyList<LivestreamSession>> ListOpenSessionsAsync(CancellationToken cancellationToken);

    /// <summary>Totals of the sessions of an app that started in [from, to).</summary>
    Task<SessionTotals> GetSessionTotalsAsync(string appId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken);

    /// <summary>Per-UTC-day totals of the sessions of an app that started in [from, to), by day ascending.</summary>
    Task<IReadOnlyList<DailySessionTotals>> GetDailyTotalsAsync(string appId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken);
}

public interface IOutputStore
{
    Task CreateOutputAsync(LivestreamOutput output, CancellationToken cancellationToken);

    /// <summary>The outputs of a livestream, oldest first.</summary>
    Task<IReadOnlyList<LivestreamOutput>> ListOutputsAsync(string livestreamId, CancellationToken cancellationToken);

    Task<LivestreamOutput?> FindOutputAsync(string livestreamId, string outputId, CancellationToken cancellationToken);

    Task SetOutputEnabledAsync(string outputId, bool enabled, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    Task<bool> DeleteOutputAsync(string outputId, CancellationToken cancellationToken);
}
