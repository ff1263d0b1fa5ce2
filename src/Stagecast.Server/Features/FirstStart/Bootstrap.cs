using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.FirstStart;

/// <summary>
/// Run once every listener is bound (so a start that cannot listen creates nothing, and the curl has the bound port).
/// First start: creates an account, an app and an API token (from STAGECAST_* when set, generated otherwise) and
/// prints the ids, the token (once) and a ready-to-paste curl. Later starts create only what the variables name
/// and the database lacks.
/// </summary>
public sealed class Bootstrap(
    IAccountStore store,
    AccountService accounts,
    AppService apps,
    IOptions<BootstrapOptions> options,
    PublicUrls urls,
    TextWriter console) : IStartupTask
{
    public bool AfterListening => true;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var wanted = options.Value;
        bool firstStart = !await store.HasAnyAccountAsync(cancellationToken).ConfigureAwait(false);
        if (!firstStart && wanted.AccountId is null && wanted.AppId is null && wanted.ApiToken is null)
        {
            return;
        }

        string accountId = wanted.AccountId ?? (firstStart ? Guid.NewGuid().ToString() : (await store.ListAccountsAsync(cancellationToken).ConfigureAwait(false))[0].Id);
        if (await store.FindAccountAsync(accountId, cancellationToken).ConfigureAwait(false) is null)
        {
            await accounts.CreateAccountAsync(accountId, "default", cancellationToken).ConfigureAwait(false);
        }

        var existing = await apps.ListAsync(accountId, cancellationToken).ConfigureAwait(false);
        string appId = wanted.AppId ?? (existing.Count > 0 ? existing[0].Id : Guid.NewGuid().ToString());
        if (!existing.Any(a => a.Id == appId))
        {
            await apps.CreateAsync(accountId, appId, "default", cancellationToken).ConfigureAwait(false);
        }

        string? printedToken = null;
        if (wanted.ApiToken is { } given)
        {
            if (await store.FindTokenAsync(TokenHasher.Hash(given), cancellationToken).ConfigureAwait(false) is null)
            {
                await accounts.CreateTokenAsync(accountId, "STAGECAST_API_TOKEN", given, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (firstStart)
        {
            printedToken = (await accounts.CreateTokenAsync(accountId, "first start", null, cancellationToken).ConfigureAwait(false)).Value;
        }

        if (firstStart)
        {
            Print(accountId, appId, printedToken);
        }
    }

    private void Print(string accountId, string appId, string? token)
    {
        string shownToken = token ?? "$STAGECAST_API_TOKEN";
        console.WriteLine($"""

            Stagecast is set up.
              account: {accountId}
              app:     {appId}
              token:   {(token is null ? "(the value of STAGECAST_API_TOKEN)" : token + "   <- shown only this once; keep it safe")}

            Dashboard (sign in with the token):
              {urls.HttpBase}/dashboard?account={accountId}&app={appId}

            Or create a livestream over the API:
              curl -X POST '{urls.HttpBase}/client/v4/accounts/{accountId}/realtime/kit/{appId}/livestreams' \
                -H 'Authorization: Bearer {shownToken}' -H 'Content-Type: application/json' -d '{"{"}"name":"my-stream"{"}"}'

            """);
        console.Flush();
    }
}
