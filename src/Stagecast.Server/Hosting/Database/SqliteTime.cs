namespace Stagecast.Server.Hosting.Database;

/// <summary>Times are stored as Unix milliseconds (UTC).</summary>
public static class SqliteTime
{
    public static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    public static DateTimeOffset Time(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    public static DateTimeOffset? Time(long? milliseconds) => milliseconds is { } value ? Time(value) : null;
}
