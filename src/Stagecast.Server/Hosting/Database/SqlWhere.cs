using System.Text;
using Dapper;
using static Stagecast.Server.Hosting.Database.SqliteTime;

namespace Stagecast.Server.Hosting.Database;

/// <summary>A WHERE clause built from a list's optional filters, with its parameters.</summary>
public sealed class SqlWhere
{
    private readonly StringBuilder _sql;

    public SqlWhere(string condition, object? parameters = null)
    {
        _sql = new StringBuilder(condition);
        Parameters = new DynamicParameters(parameters);
    }

    public DynamicParameters Parameters { get; }

    /// <summary>Adds a condition on one parameter when it has a value.</summary>
    public SqlWhere And<T>(string condition, string name, T? value)
    {
        if (value is not null)
        {
            _sql.Append(" AND ").Append(condition);
            Parameters.Add(name, value);
        }

        return this;
    }

    public SqlWhere And(string condition, bool include = true)
    {
        if (include)
        {
            _sql.Append(" AND ").Append(condition);
        }

        return this;
    }

    /// <summary>A time column within [from, to).</summary>
    public SqlWhere Between(string column, DateTimeOffset? from, DateTimeOffset? to) =>
        And($"{column} >= @from", "from", Ms(from)).And($"{column} < @to", "to", Ms(to));

    /// <summary>Any of the columns contains the text (LIKE with % and _ taken literally).</summary>
    public SqlWhere Search(string? text, params string[] columns) =>
        And("(" + string.Join(" OR ", columns.Select(c => $"{c} LIKE @pattern ESCAPE '\\'")) + ")", "pattern", SqlLike.Contains(text));

    public override string ToString() => _sql.ToString();
}
