using Microsoft.Data.Sqlite;
using Npgsql;

namespace Stagecast.Server.Hosting;

/// <summary>
/// A write the disk had no room for: SQLite's <c>SQLITE_FULL</c> ("database or disk is full"), PostgreSQL's
/// <c>disk_full</c> (53100), a file write's <c>ENOSPC</c>. The API and the channel answer it 507 naming the problem
/// instead of a 500 (<see cref="Api.ApiExceptionHandler"/>).
/// </summary>
public static class StorageFull
{
    public const string Message = "the server's storage is full, so nothing was saved; its operator must free space on its disk";

    /// <summary>errno's ENOSPC on Linux, which .NET gives as the <see cref="IOException.HResult"/> of a failed write.</summary>
    private const int NoSpaceLeftOnDevice = 28;

    private const int SqliteFull = 13;

    public static bool Is(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: SqliteFull } => true,
        PostgresException { SqlState: PostgresErrorCodes.DiskFull } => true,
        IOException { HResult: NoSpaceLeftOnDevice } => true,
        { InnerException: { } inner } => Is(inner),
        _ => false,
    };
}
