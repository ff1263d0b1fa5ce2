using System.CommandLine;
using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.FirstStart;

/// <summary>
/// Operator commands on the data directory, run instead of the server:
/// <code>
/// accounts list | accounts create [--name N]
/// apps list --account A | apps create --account A [--name N]
/// tokens list --account A | tokens create --account A [--name N] | tokens revoke TOKEN_ID
/// </code>
/// The database may be in use by a running server (WAL allows it); new tokens work at once.
/// </summary>
public static class OperatorCommands
{
    public static IEnumerable<Command> Create(Func<ParseResult, ServerOptions> server, TextWriter output, TextWriter error)
    {
        var name = new Option<string>("--name") { Description = "A name to recognise it by" };
        var account = new Option<string>("--account") { Description = "The account's id", Required = true };
        var tokenId = new Argument<string>("token-id") { Description = "The token's id (from tokens list)" };

        Command Verb(string verb, string description, Func<ParseResult, Stores, Task<int>> run, params Symbol[] inputs)
        {
            var command = new Command(verb, description);
            foreach (var input in inputs)
            {
                switch (input)
                {
                    case Option option:
                        command.Options.Add(option);
                        break;
                    case Argument argument:
                        command.Arguments.Add(argument);
                        break;
                }
            }

            command.SetAction(async (result, _) => await run(result, await Stores.OpenAsync(server(result)).ConfigureAwait(false)).ConfigureAwait(false));
            return command;
        }

        var cancel = CancellationToken.None;
        yield return new Command("accounts", "List or create accounts")
        {
            Verb("list", "List the accounts", async (_, s) =>
            {
                foreach (var a in await s.Accounts.ListAccountsAsync(cancel).ConfigureAwait(false))
                {
                    await output.WriteLineAsync($"{a.Id}  {a.Name}  created {a.CreatedAt:O}").ConfigureAwait(false);
                }

                return 0;
            }),
            Verb("create", "Create an account and print its id", async (r, s) =>
            {
                await output.WriteLineAsync((await s.AccountService.CreateAccountAsync(null, r.GetValue(name), cancel).ConfigureAwait(false)).Id).ConfigureAwait(false);
                return 0;
            }, name),
        };
        yield return new Command("apps", "List or create an account's apps")
        {
            Verb("list", "List an account's apps", async (r, s) =>
            {
                foreach (var app in await s.Apps.ListAsync(r.GetRequiredValue(account), cancel).ConfigureAwait(false))
                {
                    await output.WriteLineAsync($"{app.Id}  {app.Name}  created {app.CreatedAt:O}").ConfigureAwait(false);
                }

                return 0;
            }, account),
            Verb("create", "Create an app (with the default presets) and print its id", async (r, s) =>
            {
                try
                {
                    await output.WriteLineAsync((await s.Apps.CreateAsync(r.GetRequiredValue(account), null, r.GetValue(name), cancel).ConfigureAwait(false)).Id).ConfigureAwait(false);
                    return 0;
                }
                catch (InvalidOperationException ex)
                {
                    await error.WriteLineAsync($"stagecast: {ex.Message}").ConfigureAwait(false);
                    return 1;
                }
            }, account, name),
        };
        yield return new Command("tokens", "List, create or revoke an account's API tokens")
        {
            Verb("list", "List an account's tokens (their prefixes only)", async (r, s) =>
            {
                foreach (var token in await s.Accounts.ListTokensAsync(r.GetRequiredValue(account), cancel).ConfigureAwait(false))
                {
                    string state = token.RevokedAt is { } revoked ? $"revoked {revoked:O}" : "active";
                    await output.WriteLineAsync($"{token.Id}  {token.Prefix}…  {token.Name}  {state}").ConfigureAwait(false);
                }

                return 0;
            }, account),
            Verb("create", "Create a token and print it (only this once)", async (r, s) =>
            {
                try
                {
                    var (created, value) = await s.AccountService.CreateTokenAsync(r.GetRequiredValue(account), r.GetValue(name), null, cancel).ConfigureAwait(false);
                    await output.WriteLineAsync($"token id: {created.Id}").ConfigureAwait(false);
                    await output.WriteLineAsync($"token:    {value}   (shown only this once)").ConfigureAwait(false);
                    return 0;
                }
                catch (InvalidOperationException ex)
                {
                    await error.WriteLineAsync($"stagecast: {ex.Message}").ConfigureAwait(false);
                    return 1;
                }
            }, account, name),
            Verb("revoke", "Revoke a token: it stops working at once", async (r, s) =>
            {
                string id = r.GetRequiredValue(tokenId);
                if (await s.Accounts.RevokeTokenAsync(id, TimeProvider.System.GetUtcNow(), cancel).ConfigureAwait(false))
                {
                    await output.WriteLineAsync($"revoked {id}").ConfigureAwait(false);
                    return 0;
                }

                await error.WriteLineAsync($"stagecast: no active token with id {id}").ConfigureAwait(false);
                return 1;
            }, tokenId),
        };
    }

    private sealed record Stores(SqlAccountStore Accounts, AccountService AccountService, AppService Apps)
    {
        public static async Task<Stores> OpenAsync(ServerOptions server)
        {
            Directory.CreateDirectory(server.DataDir);
            var db = server.OpenDatabase();
            await db.MigrateAsync(CancellationToken.None).ConfigureAwait(false);
            var accounts = new SqlAccountStore(db);
            var appStore = new SqlAppStore(db);
            var defaultPresets = new DefaultPresetsForApps(appStore, new SqlPresetStore(db), TimeProvider.System);
            return new Stores(accounts, new AccountService(accounts, TimeProvider.System),
                new AppService(appStore, [defaultPresets], TimeProvider.System));
        }
    }
}
