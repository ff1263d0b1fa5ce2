using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Stagecast.Server.Hosting.Database;

/// <summary>
/// The few things SQLite and PostgreSQL write differently. Everything else in the stores is SQL both run as written:
/// integers are 64-bit in both (BIGINT in PostgreSQL, so rows map to the same types), booleans are 0/1 integers, times
/// Unix milliseconds, and tables ordered by insertion carry a <c>rowid</c> (SQLite's own; an identity column in
/// PostgreSQL).
/// </summary>
public abstract class SqlDialect
{
    public static readonly SqlDialect Sqlite = new SqliteDialect();

    public static readonly SqlDialect Postgres = new PostgresDialect();

    /// <summary>The dialect of a connection (for code handed a connection inside a transaction).</summary>
    public static SqlDialect Of(IDbConnection connection) => connection is NpgsqlConnection ? Postgres : Sqlite;

    /// <summary>A column equal to any of a list parameter's values.</summary>
    public abstract string InList(string column, string parameter);

    /// <summary>Rows whose node id column is none of the <c>@excludeNodes</c> list parameter's (or was never written).</summary>
    public string NotOnNodes(string column = "node_id") => $"({column} IS NULL OR NOT {InList(column, "@excludeNodes")})";

    /// <summary>Whether a JSON array of strings in a text column holds a parameter's value.</summary>
    public abstract string JsonArrayContains(string column, string parameter);

    /// <summary>The UTC day (yyyy-MM-dd) of a Unix-millisecond column.</summary>
    public abstract string UtcDay(string milliseconds);

    /// <summary>A new random 32-character hex id.</summary>
    public abstract string RandomId { get; }

    /// <summary>Starts a read-only transaction that sees one state of the database until it ends.</summary>
    public abstract string BeginSnapshot { get; }

    /// <summary>Whether an exception is a unique or primary key violation.</summary>
    public abstract bool IsUniqueViolation(DbException exception);

    /// <summary>
    /// A statement that makes the writes of one <paramref name="purpose"/> and one key (a text parameter) take turns until
    /// their transaction ends, so a sum checked before adding to it holds; null where write transactions take turns already
    /// (SQLite: one writer at a time, and Microsoft.Data.Sqlite begins them IMMEDIATE). PostgreSQL: an advisory lock.
    /// </summary>
    public abstract string? TurnLock(string purpose, string parameter);

    private sealed class SqliteDialect : SqlDialect
    {
        public override string InList(string column, string parameter) => $"{column} IN {parameter}";

        public override string JsonArrayContains(string column, string parameter) => $"EXISTS (SELECT 1 FROM json_each({column}) WHERE value = {parameter})";

        public override string UtcDay(string milliseconds) => $"date({milliseconds} / 1000, 'unixepoch')";

        public override string RandomId => "lower(hex(randomblob(16)))";

        // Begun by SQL, not BeginTransaction: Microsoft.Data.Sqlite then lets the stores' commands run in it without
        // being handed the transaction. The snapshot is taken at the first read.
        public override string BeginSnapshot => "BEGIN DEFERRED";

        public override bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: 19 };

        public override string? TurnLock(string purpose, string parameter) => null;
    }

    private sealed class PostgresDialect : SqlDialect
    {
        // Npgsql passes a list as one array parameter (Dapper does not expand it as for SQLite).
        public override string InList(string column, string parameter) => $"{column} = ANY({parameter})";

        public override string JsonArrayContains(string column, string parameter) => $"jsonb_exists({column}::jsonb, {parameter})";

        public override string UtcDay(string milliseconds) => $"to_char(to_timestamp({milliseconds} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')";

        public override string RandomId => "replace(gen_random_uuid()::text, '-', '')";

        public override string BeginSnapshot => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

        public override bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

        // The two-key form: a space of its own, apart from the migrations' one-key lock.
        public override string? TurnLock(string purpose, string parameter) => $"SELECT pg_advisory_xact_lock(hashtext('{purpose}'), hashtext({parameter}))";
    }
}
