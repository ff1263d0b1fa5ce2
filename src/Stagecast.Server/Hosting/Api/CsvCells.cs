using System.Text;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// CSV for spreadsheets (the exports of chat and transcripts): RFC 4180 quoting, and a cell that a spreadsheet would
/// read as a formula (it starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return) gets a leading
/// <c>'</c>, as OWASP advises against CSV injection: names and messages are what participants typed or said.
/// </summary>
public static class CsvCells
{
    /// <summary>Appends one row of <paramref name="cells"/>, ended by CRLF.</summary>
    public static StringBuilder AppendRow(this StringBuilder csv, IEnumerable<string> cells) => csv.AppendJoin(',', cells.Select(Cell)).Append("\r\n");

    private static string Cell(string cell)
    {
        if (cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            cell = "'" + cell;
        }

        return cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
    }
}
