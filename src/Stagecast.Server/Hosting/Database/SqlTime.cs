namespace Stagecast.Server.Hosting.Database;

/// <summary>How both engines store times (Unix milliseconds, UTC) and booleans (0/1 integers).</summary>
public static class SqlTime
{
    public static long Bit(bool value) => value ? 1 : 0;

    public static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    public static DateTimeOffset Time(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    public static DateTimeOffset? Time(long? milliseconds) => milliseconds is { } value ? Time(value) : null;
}
