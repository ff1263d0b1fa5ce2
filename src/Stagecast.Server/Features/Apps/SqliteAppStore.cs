using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqliteTime;

namespace Stagecast.Server.Features.Apps;

public sealed class SqliteAppStore(SqliteDatabase db) : IAppStore
{
    public Task CreateAsync(App app, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "INSERT INTO apps (id, account_id, name, created_at) VALUES (@Id, @AccountId, @Name, @CreatedAt)",
            new { app.Id, app.AccountId, app.Name, CreatedAt = Ms(app.CreatedAt) }), cancellationToken);

    public Task<App?> FindAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<AppRow>(
            "SELECT id, account_id, name, created_at FROM apps WHERE id = @appId AND account_id = @accountId",
            new { accountId, appId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<Page<App>> ListAsync(string accountId, string? search, Paging paging, bool ascending, CancellationToken cancellationToken)
    {
        const string where = "account_id = @accountId AND (@search IS NULL OR id LIKE @pattern ESCAPE '\\' OR name LIKE @pattern ESCAPE '\\')";
        var parameters = new { accountId, search, pattern = SqlLike.Contains(search), limit = paging.PerPage, offset = paging.Offset };
        string order = ascending ? "ASC" : "DESC";
        return db.WithConnectionAsync(async c =>
        {
            long total = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM apps WHERE {where}", parameters).ConfigureAwait(false);
            var rows = await c.QueryAsync<AppRow>(
                $"SELECT id, account_id, name, created_at FROM apps WHERE {where} ORDER BY created_at {order}, rowid {order} LIMIT @limit OFFSET @offset",
                parameters).ConfigureAwait(false);
            return new Page<App>(rows.Select(r => r.ToModel()).ToList(), total);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListAllIdsAsync(CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<string>>(async c => (await c.QueryAsync<string>("SELECT id FROM apps").ConfigureAwait(false)).ToList(), cancellationToken);

    private sealed record AppRow(string Id, string AccountId, string? Name, long CreatedAt)
    {
        public App ToModel() => new(Id, AccountId, Name, Time(CreatedAt));
    }
}
