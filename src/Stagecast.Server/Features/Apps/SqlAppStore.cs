using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Apps;

public sealed class SqlAppStore(SqlDatabase db) : IAppStore
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
        string order = ascending ? "ASC" : "DESC";
        var args = new { accountId, pattern = SqlLike.Contains(search), limit = paging.PerPage, offset = paging.Offset };
        return db.QueryPageAsync("SELECT id, account_id, name, created_at", "apps", new SqlWhere("account_id = @accountId").Search(search, "id", "name"),
            $"created_at {order}, rowid {order}", (c, sql) => c.QueryAsync<AppRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(),
            cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListAllIdsAsync(CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<string>>(async c => (await c.QueryAsync<string>("SELECT id FROM apps").ConfigureAwait(false)).ToList(), cancellationToken);

    internal sealed record AppRow(string Id, string AccountId, string? Name, long CreatedAt)
    {
        public App ToModel() => new(Id, AccountId, Name, Time(CreatedAt));
    }
}
