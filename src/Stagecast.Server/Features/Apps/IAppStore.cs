using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Apps;

public interface IAppStore
{
    Task CreateAsync(App app, CancellationToken cancellationToken);

    /// <summary>Writes an app's settings (its name and default renditions).</summary>
    Task UpdateAsync(App app, CancellationToken cancellationToken);

    Task<App?> FindAsync(string accountId, string appId, CancellationToken cancellationToken);

    /// <summary>The account an app belongs to; null when there is no such app.</summary>
    Task<string?> FindAccountIdAsync(string appId, CancellationToken cancellationToken);

    /// <summary>Apps of an account, oldest first, optionally filtered by a search on id and name.</summary>
    Task<Page<App>> ListAsync(string accountId, string? search, Paging paging, bool ascending, CancellationToken cancellationToken);

    /// <summary>Every app id of every account (start-up checks).</summary>
    Task<IReadOnlyList<string>> ListAllIdsAsync(CancellationToken cancellationToken);
}
