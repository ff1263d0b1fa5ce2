using Dapper;

namespace Stagecast.Server.Persistence.Sqlite;

public sealed partial class SqliteStore
{
    public Task<bool> HasAnyAccountAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync(c => c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM accounts)"), cancellationToken);

    public Task CreateAccountAsync(Account account, CancellationToken cancellationToken) =>
        WithConnectionAsync(c => c.ExecuteAsync(
            "INSERT INTO accounts (id, name, created_at) VALUES (@Id, @Name, @CreatedAt)",
            new { account.Id, account.Name, CreatedAt = Ms(account.CreatedAt) }), cancellationToken);

    public Task<Account?> FindAccountAsync(string accountId, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<AccountRow>(
            "SELECT id, name, created_at FROM accounts WHERE id = @accountId", new { accountId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<Account>>(async c => (await c.QueryAsync<AccountRow>(
            "SELECT id, name, created_at FROM accounts ORDER BY created_at").ConfigureAwait(false)).Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task CreateAppAsync(App app, CancellationToken cancellationToken) =>
        WithConnectionAsync(c => c.ExecuteAsync(
            "INSERT INTO apps (id, account_id, name, created_at) VALUES (@Id, @AccountId, @Name, @CreatedAt)",
            new { app.Id, app.AccountId, app.Name, CreatedAt = Ms(app.CreatedAt) }), cancellationToken);

    public Task<App?> FindAppAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<AppRow>(
            "SELECT id, account_id, name, created_at FROM apps WHERE id = @appId AND account_id = @accountId",
            new { accountId, appId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<IReadOnlyList<App>> ListAppsAsync(string accountId, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<App>>(async c => (await c.QueryAsync<AppRow>(
            "SELECT id, account_id, name, created_at FROM apps WHERE account_id = @accountId ORDER BY created_at",
            new { accountId }).ConfigureAwait(false)).Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task CreateTokenAsync(ApiToken token, CancellationToken cancellationToken) =>
        WithConnectionAsync(c => c.ExecuteAsync(
            "INSERT INTO api_tokens (id, account_id, token_hash, prefix, name, created_at, revoked_at) VALUES (@Id, @AccountId, @Hash, @Prefix, @Name, @CreatedAt, @RevokedAt)",
            new { token.Id, token.AccountId, token.Hash, token.Prefix, token.Name, CreatedAt = Ms(token.CreatedAt), RevokedAt = Ms(token.RevokedAt) }),
            cancellationToken);

    public Task<ApiToken?> FindTokenAsync(byte[] hash, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<TokenRow>(
            "SELECT id, account_id, token_hash, prefix, name, created_at, revoked_at FROM api_tokens WHERE token_hash = @hash",
            new { hash }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<IReadOnlyList<ApiToken>> ListTokensAsync(string accountId, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<ApiToken>>(async c => (await c.QueryAsync<TokenRow>(
            "SELECT id, account_id, token_hash, prefix, name, created_at, revoked_at FROM api_tokens WHERE account_id = @accountId ORDER BY created_at",
            new { accountId }).ConfigureAwait(false)).Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task<bool> RevokeTokenAsync(string tokenId, DateTimeOffset revokedAt, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c => await c.ExecuteAsync(
            "UPDATE api_tokens SET revoked_at = @at WHERE id = @tokenId AND revoked_at IS NULL",
            new { tokenId, at = Ms(revokedAt) }).ConfigureAwait(false) == 1, cancellationToken);

    private sealed class AccountRow
    {
        public string Id { get; set; } = "";

        public string? Name { get; set; }

        public long CreatedAt { get; set; }

        public Account ToModel() => new(Id, Name, Time(CreatedAt));
    }

    private sealed class AppRow
    {
        public string Id { get; set; } = "";

        public string AccountId { get; set; } = "";

        public string? Name { get; set; }

        public long CreatedAt { get; set; }

        public App ToModel() => new(Id, AccountId, Name, Time(CreatedAt));
    }

    private sealed class TokenRow
    {
        public string Id { get; set; } = "";

        public string AccountId { get; set; } = "";

        public byte[] TokenHash { get; set; } = [];

        public string Prefix { get; set; } = "";

        public string? Name { get; set; }

        public long CreatedAt { get; set; }

        public long? RevokedAt { get; set; }

        public ApiToken ToModel() => new(Id, AccountId, TokenHash, Prefix, Name, Time(CreatedAt), Time(RevokedAt));
    }
}
