using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Accounts;

public sealed class SqlAccountStore(SqlDatabase db) : IAccountStore
{
    private const string TokenColumns = "id, account_id, token_hash, prefix, name, created_at, revoked_at";

    public Task<bool> HasAnyAccountAsync(CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM accounts)"), cancellationToken);

    public Task CreateAccountAsync(Account account, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "INSERT INTO accounts (id, name, created_at) VALUES (@Id, @Name, @CreatedAt)",
            new { account.Id, account.Name, CreatedAt = Ms(account.CreatedAt) }), cancellationToken);

    public Task<Account?> FindAccountAsync(string accountId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<AccountRow>(
            "SELECT id, name, created_at FROM accounts WHERE id = @accountId", new { accountId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<Account>>(async c => (await c.QueryAsync<AccountRow>(
            "SELECT id, name, created_at FROM accounts ORDER BY created_at, rowid").ConfigureAwait(false)).Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task CreateTokenAsync(ApiToken token, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            $"INSERT INTO api_tokens ({TokenColumns}) VALUES (@Id, @AccountId, @Hash, @Prefix, @Name, @CreatedAt, @RevokedAt)",
            new { token.Id, token.AccountId, Hash = new BinaryParameter(token.Hash), token.Prefix, token.Name, CreatedAt = Ms(token.CreatedAt), RevokedAt = Ms(token.RevokedAt) }),
            cancellationToken);

    public Task<ApiToken?> FindTokenAsync(byte[] hash, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<TokenRow>(
            $"SELECT {TokenColumns} FROM api_tokens WHERE token_hash = @hash", new { hash = new BinaryParameter(hash) }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<IReadOnlyList<ApiToken>> ListTokensAsync(string accountId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<ApiToken>>(async c => (await c.QueryAsync<TokenRow>(
            $"SELECT {TokenColumns} FROM api_tokens WHERE account_id = @accountId ORDER BY created_at, rowid",
            new { accountId }).ConfigureAwait(false)).Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task<bool> RevokeTokenAsync(string tokenId, DateTimeOffset revokedAt, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => await c.ExecuteAsync(
            "UPDATE api_tokens SET revoked_at = @at WHERE id = @tokenId AND revoked_at IS NULL",
            new { tokenId, at = Ms(revokedAt) }).ConfigureAwait(false) == 1, cancellationToken);

    internal sealed record AccountRow(string Id, string? Name, long CreatedAt)
    {
        public Account ToModel() => new(Id, Name, Time(CreatedAt));
    }

    internal sealed record TokenRow(string Id, string AccountId, byte[] TokenHash, string Prefix, string? Name, long CreatedAt, long? RevokedAt)
    {
        public ApiToken ToModel() => new(Id, AccountId, TokenHash, Prefix, Name, Time(CreatedAt), Time(RevokedAt));
    }
}
