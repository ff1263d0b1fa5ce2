using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Apps;

public sealed class SqlAppStore(SqlDatabase db) : IAppStore
{
    private const string Columns = "id, account_id, name, created_at, default_renditions";

    public Task CreateAsync(App app, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            $"INSERT INTO apps ({Columns}) VALUES (@Id, @AccountId, @Name, @CreatedAt, @DefaultRenditions)",
            new { app.Id, app.AccountId, app.Name, CreatedAt = Ms(app.CreatedAt), DefaultRenditions = LadderSetting.ToColumn(app.DefaultRenditions) }), cancellationToken);

    public Task UpdateAsync(App app, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE apps SET name = @Name, default_renditions = @DefaultRenditions WHERE id = @Id AND account_id = @AccountId",
            new { app.Id, app.AccountId, app.Name, DefaultRenditions = LadderSetting.ToColumn(app.DefaultRenditions) }), cancellationToken);

    public Task<App?> FindAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<AppRow>(
            $"SELECT {Columns} FROM apps WHERE id = @appId AND account_id = @accountId",
            new { accountId, appId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<string?> FindAccountIdAsync(string appId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.QuerySingleOrDefaultAsync<string?>("SELECT account_id FROM apps WHERE id = @appId", new { appId }), cancellationToken);

    public Task<Page<App>> ListAsync(string accountId, string? search, Paging paging, bool ascending, CancellationToken cancellationToken)
    {
        string order = ascending ? "ASC" : "DESC";
        var args = new { accountId, pattern = SqlLike.Contains(search), limit = paging.PerPage, offset = paging.Offset };
        return db.QueryPageAsync($"SELECT {Columns}", "apps", new SqlWhere("account_id = @accountId").Search(search, "id", "name"),
            $"created_at {order}, rowid {order}", (c, sql) => c.QueryAsync<AppRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(),
            cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListAllIdsAsync(CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<string>>(async c => (await c.QueryAsync<string>("SELECT id FROM apps").ConfigureAwait(false)).ToList(), cancellationToken);

    internal sealed record AppRow(string Id, string AccountId, string? Name, long CreatedAt, string? DefaultRenditions)
    {
        public App ToModel() => new(Id, AccountId, Name, Time(CreatedAt), LadderSetting.FromColumn(DefaultRenditions));
    }
}
