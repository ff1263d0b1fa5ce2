using System.Data.Common;
using Npgsql;

namespace Stagecast.Server.Hosting.Database;

/// <summary>
/// PostgreSQL (<c>--database-url postgres://user:password@host:port/db</c>), shared by every node of a cluster. Times are
/// Unix milliseconds (UTC) as in SQLite, so both engines hold the same values.
/// </summary>
public sealed class PostgresDatabase : SqlDatabase, IAsyncDisposable
{
    /// <summary>The advisory lock two nodes starting at once take turns on while migrating.</summary>
    private const long MigrationLock = 0x5354414745434153; // "STAGECAS"

    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string url)
    {
        _dataSource = NpgsqlDataSource.Create(ToConnectionString(url));
    }

    public override SqlDialect Dialect => SqlDialect.Postgres;

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await SqlMigrator.MigrateAsync(connection, "Postgres", $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken).ConfigureAwait(false);
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// A URL as operators write it (postgres://user:password@host:port/db?sslmode=require, user and password
    /// percent-encoded) as Npgsql's connection string; anything else is taken as a connection string already.
    /// </summary>
    public static string ToConnectionString(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql"))
        {
            return new NpgsqlConnectionStringBuilder(url).ConnectionString;
        }

        string[] userInfo = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : null,
            Username = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null,
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
        };
        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            builder[Uri.UnescapeDataString(kv[0])] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
        }

        return builder.ConnectionString;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
