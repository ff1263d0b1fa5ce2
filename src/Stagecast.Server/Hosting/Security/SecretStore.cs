using Dapper;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Hosting.Security;

/// <summary>
/// Where the server's keys live (the stream key master key, the participant token and webhook signing keys): files in
/// the data directory on one machine; with PostgreSQL, the database's <c>shared_secrets</c> table, so every node of a
/// cluster seals, signs and verifies with the same keys. A node moving to PostgreSQL offers the keys of its data
/// directory, so the first node's keys (and every stream key sealed with them) carry over.
/// </summary>
public abstract class SecretStore
{
    /// <summary>The secret's bytes, created from <paramref name="create"/> the first time anyone asks.</summary>
    public abstract byte[] LoadOrCreate(string name, Func<byte[]> create);

    public static SecretStore For(ServerOptions server, SqlDatabase database) =>
        database is PostgresDatabase ? new Shared(database, server.DataDir) : new Files(server.DataDir);

    private sealed class Files(string dataDir) : SecretStore
    {
        public override byte[] LoadOrCreate(string name, Func<byte[]> create)
        {
            Directory.CreateDirectory(dataDir);
            return SecretFiles.LoadOrCreate(Path.Combine(dataDir, name), create);
        }
    }

    private sealed class Shared(SqlDatabase database, string dataDir) : SecretStore
    {
        // Called while services are built (the keys' owners are singletons): the one place that waits on the database
        // synchronously, once per key at start.
        public override byte[] LoadOrCreate(string name, Func<byte[]> create) => LoadOrCreateAsync(name, create).GetAwaiter().GetResult();

        private async Task<byte[]> LoadOrCreateAsync(string name, Func<byte[]> create)
        {
            await database.EnsureMigratedAsync(CancellationToken.None).ConfigureAwait(false);
            string file = Path.Combine(dataDir, name);
            byte[] offered = File.Exists(file) ? await File.ReadAllBytesAsync(file).ConfigureAwait(false) : create();
            return await database.WithConnectionAsync(async c =>
            {
                await c.ExecuteAsync(
                    "INSERT INTO shared_secrets (name, value, created_at) VALUES (@name, @offered, @at) ON CONFLICT (name) DO NOTHING",
                    new { name, offered, at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }).ConfigureAwait(false);
                return await c.QuerySingleAsync<byte[]>("SELECT value FROM shared_secrets WHERE name = @name", new { name }).ConfigureAwait(false);
            }, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
