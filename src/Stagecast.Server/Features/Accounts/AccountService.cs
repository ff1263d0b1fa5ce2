using System.Security.Cryptography;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Accounts;

/// <summary>Accounts and API tokens: creation (CLI, first start) and authentication (API).</summary>
public sealed class AccountService(IAccountStore store, TimeProvider time)
{
    public async Task<Account> CreateAccountAsync(string? id, string? name, CancellationToken cancellationToken)
    {
        var account = new Account(id ?? Guid.NewGuid().ToString(), name, time.GetUtcNow());
        await store.CreateAccountAsync(account, cancellationToken).ConfigureAwait(false);
        return account;
    }

    /// <summary>Creates a token (or registers the given value); the plain value is returned once and never stored.</summary>
    public async Task<(ApiToken Token, string Value)> CreateTokenAsync(string accountId, string? name, string? value, CancellationToken cancellationToken)
    {
        _ = await store.FindAccountAsync(accountId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"no account with id {accountId}");
        value ??= Secrets.NewApiToken();
        var token = new ApiToken(Guid.NewGuid().ToString(), accountId, TokenHasher.Hash(value), TokenHasher.DisplayPrefix(value), name, time.GetUtcNow(), null);
        await store.CreateTokenAsync(token, cancellationToken).ConfigureAwait(false);
        return (token, value);
    }

    /// <summary>The live (not revoked) token with this value, or null. Digests are compared in constant time.</summary>
    public async Task<ApiToken?> AuthenticateAsync(string value, CancellationToken cancellationToken)
    {
        byte[] hash = TokenHasher.Hash(value);
        var token = await store.FindTokenAsync(hash, cancellationToken).ConfigureAwait(false);
        return token is not null && token.RevokedAt is null && CryptographicOperations.FixedTimeEquals(token.Hash, hash) ? token : null;
    }
}
