using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Accounts;

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
    public static readonly IReadOnlySet<string> Nouns = new HashSet<string>(StringComparer.Ordinal) { "accounts", "apps", "tokens" };

    public static async Task<int> RunAsync(string[] args, ServerOptions server, TextWriter output, TextWriter error)
    {
        var words = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        var flags = ParseFlags(args.Skip(words.Count).ToArray());
        Directory.CreateDirectory(server.DataDir);
        var db = new SqliteDatabase(server.DatabasePath);
        await db.MigrateAsync(CancellationToken.None);
        var store = new SqliteAccountStore(db);
        var accounts = new AccountService(store, TimeProvider.System);
        var apps = new AppService(new SqliteAppStore(db), new SqlitePresetStore(db), TimeProvider.System);
        var cancel = CancellationToken.None;
        try
        {
            switch (string.Join(' ', words.Take(2)))
            {
                case "accounts list":
                    foreach (var account in await store.ListAccountsAsync(cancel))
                    {
                        output.WriteLine($"{account.Id}  {account.Name}  created {account.CreatedAt:O}");
                    }

                    return 0;
                case "accounts create":
                    output.WriteLine((await accounts.CreateAccountAsync(null, flags.GetValueOrDefault("name"), cancel)).Id);
                    return 0;
                case "apps list":
                    foreach (var app in await apps.ListAsync(Required(flags, "account"), cancel))
                    {
                        output.WriteLine($"{app.Id}  {app.Name}  created {app.CreatedAt:O}");
                    }

                    return 0;
                case "apps create":
                    output.WriteLine((await apps.CreateAsync(Required(flags, "account"), null, flags.GetValueOrDefault("name"), cancel)).Id);
                    return 0;
                case "tokens list":
                    foreach (var token in await store.ListTokensAsync(Required(flags, "account"), cancel))
                    {
                        string state = token.RevokedAt is { } revoked ? $"revoked {revoked:O}" : "active";
                        output.WriteLine($"{token.Id}  {token.Prefix}…  {token.Name}  {state}");
                    }

                    return 0;
                case "tokens create":
                    var (created, value) = await accounts.CreateTokenAsync(Required(flags, "account"), flags.GetValueOrDefault("name"), null, cancel);
                    output.WriteLine($"token id: {created.Id}");
                    output.WriteLine($"token:    {value}   (shown only this once)");
                    return 0;
                case "tokens revoke" when words.Count == 3:
                    if (await store.RevokeTokenAsync(words[2], TimeProvider.System.GetUtcNow(), cancel))
                    {
                        output.WriteLine($"revoked {words[2]}");
                        return 0;
                    }

                    error.WriteLine($"stagecast: no active token with id {words[2]}");
                    return 1;
                default:
                    error.WriteLine("usage: accounts list|create, apps list|create --account A, tokens list|create --account A, tokens revoke TOKEN_ID");
                    return 2;
            }
        }
        catch (InvalidOperationException ex)
        {
            error.WriteLine($"stagecast: {ex.Message}");
            return 1;
        }
    }

    private static string Required(Dictionary<string, string> flags, string name) =>
        flags.TryGetValue(name, out string? value) ? value : throw new InvalidOperationException($"--{name} is required");

    private static Dictionary<string, string> ParseFlags(string[] args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            flags[args[i].TrimStart('-')] = args[i + 1];
        }

        return flags;
    }
}
