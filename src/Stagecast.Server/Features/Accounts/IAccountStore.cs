namespace Stagecast.Server.Features.Accounts;

public interface IAccountStore
{
    Task<bool> HasAnyAccountAsync(CancellationToken cancellationToken);

    Task CreateAccountAsync(Account account, CancellationToken cancellationToken);

    Task<Account?> FindAccountAsync(string accountId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken);

    Task CreateTokenAsync(ApiToken token, CancellationToken cancellationToken);

    /// <summary>Finds a token, revoked or not, by the digest of its value.</summary>
    Task<ApiToken?> FindTokenAsync(byte[] hash, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiToken>> ListTokensAsync(string accountId, CancellationToken cancellationToken);

    Task<bool> RevokeTokenAsync(string tokenId, DateTimeOffset revokedAt, CancellationToken cancellationToken);
}
