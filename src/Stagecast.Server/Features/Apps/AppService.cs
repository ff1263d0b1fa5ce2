using System.Collections.Immutable;
using Stagecast.Server.Hosting.Database;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.Apps;

/// <summary>Apps. Each new app is announced to <see cref="IAppObserver"/>s (presets give it the defaults).</summary>
public sealed class AppService(IAppStore store, IEnumerable<IAppObserver> observers, TimeProvider time)
{
    public async Task<App> CreateAsync(string accountId, string? id, string? name, CancellationToken cancellationToken)
    {
        var app = new App(id ?? Guid.NewGuid().ToString(), accountId, name, time.GetUtcNow());
        await store.CreateAsync(app, cancellationToken).ConfigureAwait(false);
        foreach (var observer in observers)
        {
            await observer.OnAppCreatedAsync(app, cancellationToken).ConfigureAwait(false);
        }

        return app;
    }

    /// <summary>Changes what is given of an app's settings; null when the account has no such app.</summary>
    public async Task<App?> UpdateAsync(string accountId, string appId, string? name, ImmutableArray<Rendition>? defaultRenditions, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(accountId, appId, cancellationToken).ConfigureAwait(false) is not { } app)
        {
            return null;
        }

        var changed = app with { Name = name ?? app.Name, DefaultRenditions = defaultRenditions ?? app.DefaultRenditions };
        await store.UpdateAsync(changed, cancellationToken).ConfigureAwait(false);
        return changed;
    }

    public async Task<IReadOnlyList<App>> ListAsync(string accountId, CancellationToken cancellationToken) =>
        (await store.ListAsync(accountId, null, new Paging(1, int.MaxValue), ascending: true, cancellationToken).ConfigureAwait(false)).Items;
}
