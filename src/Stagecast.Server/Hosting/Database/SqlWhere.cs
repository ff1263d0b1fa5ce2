using Dapper;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Hosting.Database;

/// <summary>A WHERE clause built from a list's optional filters, with its parameters.</summary>
public sealed class SqlWhere
{
    private readonly List<Func<SqlDialect, string>> _conditions = [];

    public SqlWhere(string condition, object? parameters = null)
    {
        _conditions.Add(_ => condition);
        Parameters = new DynamicParameters(parameters);
    }

    public DynamicParameters Parameters { get; }

    /// <summary>Adds a condition on one parameter when it has a value.</summary>
    public SqlWhere And<T>(string condition, string name, T? value)
    {
        if (value is not null)
        {
            _conditions.Add(_ => condition);
            Parameters.Add(name, value);
        }

        return this;
    }

    public SqlWhere And(string condition, bool include = true)
    {
        if (include)
        {
            _conditions.Add(_ => condition);
        }

        return this;
    }

    /// <summary>A column equal to any of the values, when there are any.</summary>
    public SqlWhere AndIn(string column, string name, IReadOnlyCollection<string>? values)
    {
        if (values is { Count: > 0 })
        {
            _conditions.Add(d => d.InList(column, "@" + name));
            Parameters.Add(name, values.ToArray());
        }

        return this;
    }

    /// <summary>A time column within [from, to).</summary>
    public SqlWhere Between(string column, DateTimeOffset? from, DateTimeOffset? to) =>
        And($"{column} >= @from", "from", Ms(from)).And($"{column} < @to", "to", Ms(to));

    /// <summary>Any of the columns contains the text, ignoring ASCII case (LIKE with % and _ taken literally).</summary>
    public SqlWhere Search(string? text, params string[] columns) =>
        And("(" + string.Join(" OR ", columns.Select(c => $"LOWER({c}) LIKE LOWER(@pattern) ESCAPE '\\'")) + ")", "pattern", SqlLike.Contains(text));

    public string ToSql(SqlDialect dialect) => string.Join(" AND ", _conditions.Select(c => c(dialect)));
}
