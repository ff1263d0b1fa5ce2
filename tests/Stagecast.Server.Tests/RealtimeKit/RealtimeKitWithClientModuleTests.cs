using System.Text.Json;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// One meeting, two client libraries in the browser: a participant on RealtimeKit's unmodified SDK and one on
/// Stagecast's own client module (<c>/sdk/stagecast.js</c>, over the JSON channel) see each other's chat, polls and app
/// messages (an SDK 1.5.1 participant's too).
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
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

        // App messages both ways, SDK 1.5.1 too: each reaches the other front end (and its own SDK sender, as RealtimeKit does).
        var old = await browser.JoinAsync((await api.AddParticipantAsync(meeting, "old", "livestream_viewer", name: "Olga")).Token, media: false, sdkVersion: "1.5.1");
        await old.WaitForStateAsync(s => s.Self.RoomState == "joined", "the SDK 1.5.1 participant joined");
        await Call(module, "meeting.participants.broadcastMessage('bid', { amount: 5 })");
        foreach (var page in new[] { sdk, old })
        {
            await page.WaitForStateAsync(s => s.Broadcasts.Contains(new RtkBroadcast("bid", """{"amount":5}""")), "the module's broadcast at the SDK");
        }

        await sdk.BroadcastAsync("raise_hand", new { up = true });
        await old.BroadcastAsync("reaction", new { emoji = "clap" });
        await LogAsync(module, "broadcastedMessage", e => e.GetProperty("type").GetString() == "raise_hand" && e.GetProperty("payload").GetProperty("up").GetBoolean());
        await LogAsync(module, "broadcastedMessage", e => e.GetProperty("type").GetString() == "reaction");
        var state = await sdk.WaitForStateAsync(s => s.Broadcasts.Any(b => b.Type == "reaction") && s.Broadcasts.Any(b => b.Type == "raise_hand"), "the SDKs' broadcasts at each other");
        Assert.Empty(state.Uncaught);
        Assert.Empty((await old.StateAsync()).Uncaught);
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
