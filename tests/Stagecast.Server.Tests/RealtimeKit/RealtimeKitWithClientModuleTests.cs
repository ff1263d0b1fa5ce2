using System.Text.Json;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// One meeting, two client libraries in the browser: a participant on RealtimeKit's unmodified SDK and one on
/// Stagecast's own client module (<c>/sdk/stagecast.js</c>, over the JSON channel) see each other's chat and polls.
/// </summary>
public sealed class RealtimeKitWithClientModuleTests
{
    [Fact]
    public async Task AnSdkParticipantAndAClientModuleParticipantChatAndVoteTogether()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (server, api, browser) = (rtk.Server, rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var viewer = await api.AddParticipantAsync(meeting, "viewer", "livestream_viewer", name: "Vic");
        var host = await api.AddParticipantAsync(meeting, "host", "webinar_host", name: "Mo");

        var module = await browser.Browser.OpenAsync("client.html");
        await module.EvaluateAsync("([s, t, n]) => start(s, t, n)", new object?[] { server.HttpBase, host.Token, "Mo" });
        var sdk = await browser.JoinAsync(viewer.Token, media: false);
        await sdk.WaitForStateAsync(s => s.Self.RoomState == "joined", "the SDK participant joined");

        await Call(module, "meeting.chat.sendTextMessage('hello from stagecast.js')");
        await sdk.WaitForStateAsync(s => s.Chat.Any(m => m.Message == "hello from stagecast.js" && m.DisplayName == "Mo"), "the module's chat at the SDK");
        await sdk.SendTextAsync("hello from RealtimeKit");
        await LogAsync(module, "chatUpdate", e => e.GetProperty("text").GetString() == "hello from RealtimeKit" && e.GetProperty("from").GetString() == "Vic");

        await Call(module, "meeting.polls.create('Lunch?', ['Yes', 'No'])");
        var poll = await sdk.WaitForStateAsync(s => s.Polls.Any(p => p.Question == "Lunch?"), "the module's poll at the SDK");
        await sdk.VoteAsync(poll.Polls.Single().Id, 0);
        await LogAsync(module, "pollsUpdate", e => e.GetProperty("counts")[0].GetInt32() == 1);
    }

    private static async Task Call(Microsoft.Playwright.IPage page, string expression)
    {
        var result = await page.EvaluateAsync<JsonElement>("e => call(e)", expression);
        Assert.True(result.GetProperty("ok").GetBoolean(), $"{expression}: {result}");
    }

    private static Task<JsonElement> LogAsync(Microsoft.Playwright.IPage page, string kind, Func<JsonElement, bool> match) =>
        Eventually.MatchAsync(async () => (await page.EvaluateAsync<JsonElement>("k => eventsOf(k)", kind)).EnumerateArray().FirstOrDefault(match),
            e => e.ValueKind != JsonValueKind.Undefined, $"{kind} at the client module");
}
