namespace Stagecast.Server.Hosting.Security;

/// <summary>
/// Participant tokens travel in query strings (<c>/realtime/v1?token=…</c>: a browser's WebSocket cannot send headers),
/// and some of the framework's log lines carry whole request URLs: YARP's "Proxying to {url}" on a node that forwards,
/// ASP.NET's "Request starting … {query}", HttpClient's request lines, Kestrel's bad request details. Those categories
/// are held at Warning, where none of them writes a URL, whatever the configuration says: for every provider with
/// rules, and for the rest, a rule for each category is added last and any rule that would open it further is dropped.
/// So no setting puts a token in a log. Our own lines name paths, never query strings.
/// </summary>
public static class QueryStringLogging
{
    private static readonly string[] Categories =
    [
        "Yarp",
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.HttpLogging",
        "Microsoft.AspNetCore.Server.Kestrel.BadRequests",
        "System.Net.Http.HttpClient",
    ];

    public static ILoggingBuilder KeepQueryStringsOut(this ILoggingBuilder logging)
    {
        logging.Services.PostConfigure<LoggerFilterOptions>(options =>
        {
            var rules = options.Rules;
            string?[] providers = [null, .. rules.Select(r => r.ProviderName).OfType<string>().Distinct(StringComparer.Ordinal)];
            for (int i = rules.Count - 1; i >= 0; i--)
            {
                if (IsHeld(rules[i].CategoryName) && (rules[i].LogLevel is not { } level || level < LogLevel.Warning || rules[i].Filter is not null))
                {
                    rules.RemoveAt(i);
                }
            }

            foreach (string? provider in providers)
            {
                foreach (string category in Categories)
                {
                    rules.Add(new LoggerFilterRule(provider, category, LogLevel.Warning, filter: null));
                }
            }
        });
        return logging;
    }

    private static bool IsHeld(string? category) =>
        category is not null && Categories.Any(c => category.StartsWith(c, StringComparison.OrdinalIgnoreCase)
            && (category.Length == c.Length || category[c.Length] is '.' or '*'));
}
