namespace Stagecast.Server.Hosting.Database;

/// <summary>
/// A WHERE clause built from a list's optional filters. Only its text varies with the filters: their values go in the
/// query's one parameter object at the call site, every filter's parameter in it (null when unused), so Dapper.AOT
/// generates the query's code at compile time. The conventional parameter names: <c>@from</c> and <c>@to</c>
/// (<see cref="Between"/>), <c>@pattern</c> (<see cref="Search"/>, from <see cref="SqlLike.Contains"/>).
/// </summary>
public sealed class SqlWhere(string condition)
{
    private readonly List<Func<SqlDialect, string>> _conditions = [_ => condition];

    public SqlWhere And(string condition, bool include = true)
    {
        if (include)
        {
            _conditions.Add(_ => condition);
        }

        return this;
    }

    /// <summary>A column equal to any of the list parameter's values, when there are any.</summary>
    public SqlWhere AndIn(string column, string parameter, IReadOnlyCollection<string>? values)
    {
        if (values is { Count: > 0 })
        {
            _conditions.Add(d => d.InList(column, "@" + parameter));
        }

        return this;
    }

    /// <summary>A time column within [@from, @to), each bound when given.</summary>
    public SqlWhere Between(string column, DateTimeOffset? from, DateTimeOffset? to) =>
        And($"{column} >= @from", from is not null).And($"{column} < @to", to is not null);

    /// <summary>Any of the columns contains the text (<c>@pattern</c>), ignoring ASCII case (LIKE with % and _ taken literally).</summary>
    public SqlWhere Search(string? text, params string[] columns) =>
        And("(" + string.Join(" OR ", columns.Select(c => $"LOWER({c}) LIKE LOWER(@pattern) ESCAPE '\\'")) + ")", text is not null);

    public string ToSql(SqlDialect dialect) => string.Join(" AND ", _conditions.Select(c => c(dialect)));
}
