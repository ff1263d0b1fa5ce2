using System.Data;
using System.Data.Common;
using Dapper;

namespace Stagecast.Server.Hosting.Database;

/// <summary>
/// Where every feature's store keeps its durable state: SQLite in the data directory (one machine, nothing to install)
/// or PostgreSQL (<c>--database-url</c>, shared by several nodes). The stores are written once, in SQL both understand;
/// the few places where the two differ ask <see cref="Dialect"/>. The schema is one sequence of migrations per engine
/// (Migrations/{Sqlite,Postgres}/NNNN_name.sql), with the same version numbers.
/// </summary>
public abstract class SqlDatabase
{
    private readonly Lazy<Task> _migrated;

    /// <summary>The connection of the <see cref="ReadSnapshotAsync"/> this flow runs in, if any.</summary>
    private readonly AsyncLocal<DbConnection?> _snapshot = new();

    protected SqlDatabase() => _migrated = new(() => MigrateAsync(CancellationToken.None));

    public abstract SqlDialect Dialect { get; }

    /// <summary>Applies the migrations this database lacks; safe when several nodes start at once.</summary>
    public abstract Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Migrates once per process, whoever asks first (start-up, or a key needed while services are built).</summary>
    public Task EnsureMigratedAsync(CancellationToken cancellationToken) => _migrated.Value.WaitAsync(cancellationToken);

    /// <summary>Whether the database answers now (for /healthz).</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await WithConnectionAsync(c => c.ExecuteScalarAsync<long>("SELECT 1"), cancellationToken).ConfigureAwait(false) == 1;
        }
        catch (DbException)
        {
            return false;
        }
    }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="read"/> with every read the stores make inside it (through <see cref="WithConnectionAsync{T}"/>
    /// and <see cref="QueryPageAsync"/>) on one connection, in one transaction that sees one state of the database: an
    /// answer put together from several reads (a livestream, its sessions) never mixes a state before a write with one
    /// after it. Writes inside it are refused. SQLite: a deferred transaction (WAL gives it one snapshot); PostgreSQL:
    /// REPEATABLE READ, READ ONLY.
    /// </summary>
    public async Task<T> ReadSnapshotAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        if (_snapshot.Value is not null)
        {
            return await read().ConfigureAwait(false);
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(Dialect.BeginSnapshot).ConfigureAwait(false);
        _snapshot.Value = connection;
        try
        {
            return await read().ConfigureAwait(false);
        }
        finally
        {
            _snapshot.Value = null;
            await connection.ExecuteAsync("COMMIT").ConfigureAwait(false);
        }
    }

    public async Task<T> WithConnectionAsync<T>(Func<DbConnection, Task<T>> action, CancellationToken cancellationToken)
    {
        if (_snapshot.Value is { } shared)
        {
            return await action(shared).ConfigureAwait(false);
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await action(connection).ConfigureAwait(false);
    }

    public Task WithConnectionAsync(Func<DbConnection, Task> action, CancellationToken cancellationToken) =>
        WithConnectionAsync<bool>(async c =>
        {
            await action(c).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>
    /// One page of a list and the count across all pages: <paramref name="rows"/> runs
    /// <c>{select} FROM {from} WHERE {where} ORDER BY {orderBy} LIMIT @limit OFFSET @offset</c> and <paramref name="count"/>
    /// <c>SELECT COUNT(*) FROM {from} WHERE {where}</c>, each through Dapper at the call site with the query's parameters
    /// (which hold <c>limit</c> and <c>offset</c>), so that their code is generated at compile time for the row type.
    /// </summary>
    public Task<Page<T>> QueryPageAsync<TRow, T>(
        string select, string from, SqlWhere where, string orderBy, Func<DbConnection, string, Task<IEnumerable<TRow>>> rows,
        Func<DbConnection, string, Task<long>> count, Func<TRow, T> map, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            string condition = where.ToSql(Dialect);
            long total = await count(c, $"SELECT COUNT(*) FROM {from} WHERE {condition}").ConfigureAwait(false);
            var page = await rows(c, $"{select} FROM {from} WHERE {condition} ORDER BY {orderBy} LIMIT @limit OFFSET @offset").ConfigureAwait(false);
            return new Page<T>(page.Select(map).ToList(), total);
        }, cancellationToken);

    public async Task<T> InTransactionAsync<T>(Func<DbConnection, IDbTransaction, Task<T>> action, CancellationToken cancellationToken)
    {
        if (_snapshot.Value is not null)
        {
            throw new InvalidOperationException("a write inside a read snapshot");
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await action(connection, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public Task InTransactionAsync(Func<DbConnection, IDbTransaction, Task> action, CancellationToken cancellationToken) =>
        InTransactionAsync<bool>(async (c, t) =>
        {
            await action(c, t).ConfigureAwait(false);
            return true;
        }, cancellationToken);
}
