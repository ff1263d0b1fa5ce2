using System.Collections.Concurrent;

namespace Stagecast.Server.Features.Apps;

/// <summary>
/// The account of each app, for quotas that count an account's apps together: read once, then kept (an app never
/// moves to another account). At most <see cref="MaxKept"/> are kept; past it they are read again.
/// </summary>
public sealed class AppAccounts(IAppStore store)
{
    public const int MaxKept = 10_000;

    private readonly ConcurrentDictionary<string, string> _accounts = new(StringComparer.Ordinal);

    /// <summary>The app's account; an app no account has (none is made so) counts as an account of its own.</summary>
    public async ValueTask<string> AccountOfAsync(string appId, CancellationToken cancellationToken)
    {
        if (_accounts.TryGetValue(appId, out string? account))
        {
            return account;
        }

        account = await store.FindAccountIdAsync(appId, cancellationToken).ConfigureAwait(false) ?? appId;
        if (_accounts.Count >= MaxKept)
        {
            _accounts.Clear();
        }

        _accounts[appId] = account;
        return account;
    }
}
