using System.Globalization;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Hosting.Api;

/// <summary>Reads query parameters strictly: a bad value is a 400 that names the parameter.</summary>
public sealed class QueryParameters(IQueryCollection query)
{
    public const int MaxPerPage = 100;
    private const int MaxSearchLength = 256;

    public Paging Paging() => new(Integer("page_no", 1, 1, int.MaxValue / MaxPerPage), Integer("per_page", 20, 1, MaxPerPage));

    public int Integer(string name, int fallback, int min, int max)
    {
        if (Text(name) is not { } text)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw ApiException.BadRequest($"\"{name}\" must be an integer from {min} to {max}");
    }

    public bool Boolean(string name) => Text(name) switch
    {
        null => false,
        var text when text.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        var text when text.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        _ => throw ApiException.BadRequest($"\"{name}\" must be true or false"),
    };

    /// <summary>ISO-8601 (a time without zone is UTC) or Unix seconds.</summary>
    public DateTimeOffset? Time(string name)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        DateTimeOffset time;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            time = seconds >= EarliestTime.ToUnixTimeSeconds() && seconds <= LatestTime.ToUnixTimeSeconds()
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
                : throw OutOfRange(name);
        }
        else if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time))
        {
            throw ApiException.BadRequest($"\"{name}\" must be an ISO-8601 time or Unix seconds");
        }

        return time >= EarliestTime && time <= LatestTime ? time.ToUniversalTime() : throw OutOfRange(name);
    }

    /// <summary>Times the API accepts: from the Unix epoch to the end of 9999 less a day, so day arithmetic never overflows.</summary>
    private static readonly DateTimeOffset EarliestTime = DateTimeOffset.UnixEpoch;

    private static readonly DateTimeOffset LatestTime = new(9999, 12, 30, 0, 0, 0, TimeSpan.Zero);

    private static ApiException OutOfRange(string name) =>
        ApiException.BadRequest($"\"{name}\" must be between 1970-01-01 and 9999-12-30 (Unix seconds 0 to {LatestTime.ToUnixTimeSeconds()})");

    public (DateTimeOffset? From, DateTimeOffset? To) TimeRange()
    {
        var from = Time("start_time");
        var to = Time("end_time");
        return from > to ? throw ApiException.BadRequest("\"start_time\" must not be after \"end_time\"") : (from, to);
    }

    /// <summary>A calendar day, YYYY-MM-DD.</summary>
    public DateOnly? Date(string name)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw ApiException.BadRequest($"\"{name}\" must be a date as YYYY-MM-DD");
    }

    /// <summary>ASC or DSC (DESC accepted); newest first by default.</summary>
    public bool Ascending() => Text("sort_order")?.ToUpperInvariant() switch
    {
        null => false,
        "ASC" => true,
        "DSC" or "DESC" => false,
        _ => throw ApiException.BadRequest("\"sort_order\" must be ASC or DSC"),
    };

    /// <summary>One of a fixed set of values (compared without case), returned as listed.</summary>
    public string? Choice(string name, params string[] allowed)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        return allowed.FirstOrDefault(a => a.Equals(text, StringComparison.OrdinalIgnoreCase))
            ?? throw ApiException.BadRequest($"\"{name}\" must be one of {string.Join(", ", allowed)}");
    }

    /// <summary>The search text, bounded.</summary>
    public string? Search() => Text("search") is { } text
        ? text.Length <= MaxSearchLength ? text : throw ApiException.BadRequest($"\"search\" must be at most {MaxSearchLength} characters")
        : null;

    /// <summary>The last non-empty value of a parameter.</summary>
    public string? Text(string name) => query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[^1]) ? values[^1] : null;
}
