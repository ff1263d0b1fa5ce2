namespace Stagecast.Server.Hosting.Database;

/// <summary>Search text as a LIKE pattern (used with <c>ESCAPE '\'</c>), so % and _ in it match themselves.</summary>
public static class SqlLike
{
    public static string? Contains(string? text) =>
        text is null ? null : "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
}
