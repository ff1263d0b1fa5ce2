using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Stagecast.Server.Hosting.Database;

/// <summary>
/// The SQLite file in the data directory that every feature's store writes to: WAL journal and synchronous=FULL,
/// so a committed write survives kill -9 and power loss alike. Stores get connections and transactions from here;
/// the schema is one sequence of migrations (Migrations/NNNN_name.sql).
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;

    static SqliteDatabase() => DefaultTypeMap.MatchNamesWithUnderscores = true;

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

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        CreateOwnerOnly(Path);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("PRAGMA journal_mode=WAL;").ConfigureAwait(false);
        await SqliteMigrator.MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    public async Task<T> WithConnectionAsync<T>(Func<SqliteConnection, Task<T>> action, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await action(connection).ConfigureAwait(false);
    }

    public async Task WithConnectionAsync(Func<SqliteConnection, Task> action, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await action(connection).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of a list and the count across all pages: <c>{select} FROM {from} WHERE {where} ORDER BY {orderBy}</c>,
    /// limited to the page.
    /// </summary>
    public Task<Page<T>> QueryPageAsync<TRow, T>(
        string select, string from, SqlWhere where, string orderBy, Paging paging, Func<TRow, T> map, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(where.Parameters);
        parameters.Add("limit", paging.PerPage);
        parameters.Add("offset", paging.Offset);
        return WithConnectionAsync(async c =>
        {
            long total = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {from} WHERE {where}", parameters).ConfigureAwait(false);
            var rows = await c.QueryAsync<TRow>($"{select} FROM {from} WHERE {where} ORDER BY {orderBy} LIMIT @limit OFFSET @offset", parameters).ConfigureAwait(false);
            return new Page<T>(rows.Select(map).ToList(), total);
        }, cancellationToken);
    }

    public async Task<T> InTransactionAsync<T>(Func<SqliteConnection, IDbTransaction, Task<T>> action, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await action(connection, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public Task InTransactionAsync(Func<SqliteConnection, IDbTransaction, Task> action, CancellationToken cancellationToken) =>
        InTransactionAsync<bool>(async (c, t) =>
        {
            await action(c, t).ConfigureAwait(false);
            return true;
        }, cancellationToken);

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

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;").ConfigureAwait(false);
        return connection;
    }
}
