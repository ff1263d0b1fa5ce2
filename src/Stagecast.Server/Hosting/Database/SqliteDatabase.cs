using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Stagecast.Server.Hosting.Database;

/// <summary>
/// The SQLite file in the data directory, the default: WAL journal and synchronous=FULL, so a committed write survives
/// kill -9 and power loss alike.
/// </summary>
public sealed class SqliteDatabase : SqlDatabase
{
    private readonly string _connectionString;

    public SqliteDatabase(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public override SqlDialect Dialect => SqlDialect.Sqlite;

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        CreateOwnerOnly(Path);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("PRAGMA journal_mode=WAL;").ConfigureAwait(false);
        // One process holds the data directory's lock, so nothing else migrates this file at the same time.
        await SqlMigrator.MigrateAsync(connection, "Sqlite", lockSql: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The database holds token digests and sealed keys: readable by the owner only (SQLite gives -wal/-shm the same mode).</summary>
    private static void CreateOwnerOnly(string path)
    {
        if (File.Exists(path) || OperatingSystem.IsWindows())
        {
            return;
        }

        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;").ConfigureAwait(false);
        return connection;
    }
}
