using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Stagecast.Server.Hosting.Database;

/// <summary>
/// Applies the embedded Migrations/{engine}/NNNN_name.sql scripts in order, each once, all in one transaction that
/// first takes the engine's migration lock (if any): a second node starting at the same moment waits, then finds
/// everything applied.
/// </summary>
internal static class SqlMigrator
{
    public static async Task MigrateAsync(DbConnection connection, string engine, string? lockSql, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (lockSql is not null)
        {
            await connection.ExecuteAsync(lockSql, transaction: transaction).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);",
            transaction: transaction).ConfigureAwait(false);
        var applied = (await connection.QueryAsync<long>("SELECT version FROM schema_migrations", transaction: transaction).ConfigureAwait(false)).ToHashSet();

        foreach (var (version, name, sql) in Scripts(engine).Where(s => !applied.Contains(s.Version)))
        {
            await connection.ExecuteAsync(sql, transaction: transaction).ConfigureAwait(false);
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
                new { version, name, at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
                transaction).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An engine's embedded scripts as (version, name, sql), ordered by version.</summary>
    public static IEnumerable<(long Version, string Name, string Sql)> Scripts(string engine)
    {
        string prefix = $"Stagecast.Server.Hosting.Database.Migrations.{engine}.";
        var assembly = typeof(SqlMigrator).Assembly;
        foreach (string resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(prefix, StringComparison.Ordinal)).Order())
        {
            string name = resource[prefix.Length..^".sql".Length];
            long version = long.Parse(name[..name.IndexOf('_')], CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return (version, name, reader.ReadToEnd());
        }
    }
}
