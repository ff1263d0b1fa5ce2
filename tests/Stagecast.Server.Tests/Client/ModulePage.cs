using System.Text.Json;
using Microsoft.Playwright;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Client;

/// <summary>A page of tests/browser/client.html driving the client module as one participant, and what the tests ask of it.</summary>
public sealed record ModulePage(IPage Page, JsonElement Joined)
{
    /// <summary>Joins with <paramref name="token"/>; <paramref name="prepare"/> sees the page before it loads (to watch its requests).</summary>
    public static async Task<ModulePage> StartAsync(Browser browser, string httpBase, string token, string? name, Action<IPage>? prepare = null)
    {
        var page = await browser.OpenAsync("client.html", prepare);
        var joined = await page.EvaluateAsync<JsonElement>("([s, t, n]) => start(s, t, n)", new object?[] { httpBase, token, name });
        Assert.True(joined.GetProperty("roomJoined").GetBoolean(), joined.ToString());
        return new ModulePage(page, joined);
    }

    public async Task<string> SelfIdAsync() => (await Page.EvaluateAsync<JsonElement>("() => meeting.self.id")).GetString()!;

    /// <summary>Runs an expression on the meeting; its value, or the test fails with the refusal.</summary>
    public async Task<JsonElement> CallAsync(string expression)
    {
        var result = await Page.EvaluateAsync<JsonElement>("e => call(e)", expression);
        Assert.True(result.GetProperty("ok").GetBoolean(), $"{expression}: {result}");
        return result.GetProperty("value");
    }

    /// <summary>The first event of <paramref name="kind"/> in the page's log that matches.</summary>
    public Task<JsonElement> WaitForLogAsync(string kind, Func<JsonElement, bool> match, TimeSpan? timeout = null) =>
        Eventually.MatchAsync(async () => (await Page.EvaluateAsync<JsonElement>("k => eventsOf(k)", kind)).EnumerateArray().FirstOrDefault(match),
            e => e.ValueKind != JsonValueKind.Undefined, $"{kind} in the client's log", timeout);

    /// <summary>Waits until a counter has grown by <paramref name="by"/> from the lowest it read meanwhile (a new connection starts it over).</summary>
    public static async Task GrowsAsync(Func<Task<int>> counter, int by, string what)
    {
        int lowest = int.MaxValue;
        await Eventually.MatchAsync(counter, now => (lowest = Math.Min(lowest, now)) + by <= now, what);
    }
}
