using Stagecast.RealtimeKit;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// A RealtimeKit client whose network drops comes back as the same peer, and its media flows again both ways within
/// seconds (the server keeps a peer's transports, producers and consumers while it is away; the SDK goes on with them,
/// or rebuilds them, and produces again). A RealtimeKit client whose socket drops (closed under it with a code other than 1000, as a proxy or a network
/// would) opens a new one with the same <c>peerID</c> and joins again: it keeps its place in the room, so the others
/// never see it leave, and it hears the room again. (The server echoes the client's close code, as RFC 6455
/// suggests: the SDK reconnects only after a close that is not 1000.)
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class RealtimeKitReconnectTests
{
    [Theory]
    [InlineData("2.0.2")]
    [InlineData("1.5.1")]
    public async Task ADroppedSocketRejoinsAsTheSamePeer(string sdk)
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (server, api, browser) = (rtk.Server, rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host");
        var viewer = await api.AddParticipantAsync(meeting, "viewer", "livestream_viewer", name: "Vic");
        await using var channel = await RealtimeTestClient.ConnectAsync(server.HttpBase, host.Token, rtk.Certificate);
        await channel.OkAsync("join");
        var page = await browser.JoinAsync(viewer.Token, media: false, sdkVersion: sdk);
        await channel.WaitForEventAsync("peer_joined", m => m.GetProperty("peer").GetProperty("user_id").GetString() == viewer.Id);

        // The socket goes; the SDK opens another with its peerID at once. A client that never joined media (an off-stage
        // viewer) comes back as initialised rather than joined (the SDK's rule), and the app joins again.
        await page.Page.EvaluateAsync("() => window.sockets.at(-1).close(4000)");
        await Eventually.TrueAsync(
            async () => await page.Page.EvaluateAsync<int>("() => window.sockets.filter(s => s.readyState === WebSocket.OPEN).length") == 1
                && (await page.StateAsync()).Self.RoomState == "init",
            "the SDK on a new socket", TimeSpan.FromSeconds(30));
        await page.JoinAsync();
        Assert.Equal(2, page.Frames.Count(f => f.Sent && f.Event == RealtimeKitEvents.Room.JoinRoom));
        Assert.Equal(2, await page.Page.EvaluateAsync<int>("() => window.sockets.length"));
        Assert.Single(page.Frames.Select(f => System.Web.HttpUtility.ParseQueryString(new Uri(f.Url).Query)["peerID"]).Distinct());

        // Still the same peer for everyone, and it hears the room again.
        await page.WaitForStateAsync(s => s.Self.RoomState == "joined", "the viewer joined again");
        await channel.OkAsync("chat_send", new { text = "welcome back" });
        await page.WaitForStateAsync(s => s.Chat.Any(m => m.Message == "welcome back"), "chat after the reconnect");
        Assert.DoesNotContain(channel.Seen, m => m.GetProperty("type").GetString() == "peer_left");
        Assert.Single(channel.Seen, m => m.GetProperty("type").GetString() == "peer_joined");
    }

    [Theory]
    [InlineData("2.0.2")]
    [InlineData("1.5.1")]
    public async Task APeerWhoseNetworkDropsIsSeenAndHeardAgainWithinSeconds(string sdk)
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        string meeting = await rtk.Api.CreateMeetingAsync();
        var ada = await rtk.Api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await rtk.Api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");
        var a = await rtk.Browser.JoinAsync(ada.Token, sdkVersion: sdk, tone: true);
        var b = await rtk.Browser.JoinAsync(bob.Token, sdkVersion: sdk, tone: true);
        await DecodesMoreAsync(a, 30, "Ada to decode Bob's camera");
        await DecodesMoreAsync(b, 30, "Bob to decode Ada's camera");

        // Ada's network goes (DevTools offline) and takes her socket with it; a few seconds later it is back. The SDK
        // reconnects with its peerID and joins again.
        int sockets = await a.Page.EvaluateAsync<int>("() => window.sockets.length");
        await a.Page.Context.SetOfflineAsync(true);
        await a.Page.EvaluateAsync("() => window.sockets.at(-1).close(4000)");
        await Task.Delay(TimeSpan.FromSeconds(3)); // the outage itself: what the test is about, not a wait for a fact
        await a.Page.Context.SetOfflineAsync(false);
        await Eventually.TrueAsync(
            async () => await a.Page.EvaluateAsync<bool>("n => window.sockets.length > n && window.sockets.at(-1).readyState === WebSocket.OPEN", sockets)
                && (await a.StateAsync()).Self.RoomState == "joined",
            "Ada on a new socket, joined again", TimeSpan.FromSeconds(30));

        // Seen and heard again both ways: the video of the track each has now decodes, and audio arrives.
        await DecodesMoreAsync(a, 30, "Ada to decode Bob's camera again");
        await DecodesMoreAsync(b, 30, "Bob to decode Ada's camera again");
        foreach (var (page, who) in new[] { (a, "Ada"), (b, "Bob") })
        {
            long audio = await page.AudioBytesReceivedAsync();
            await Eventually.MatchAsync(page.AudioBytesReceivedAsync, bytes => bytes > audio + 10_000, $"{who} to hear the other again", TimeSpan.FromSeconds(20));
        }

        Assert.Single((await b.StateAsync()).Participants, p => p.UserId == ada.Id);
    }

    /// <summary>Waits until the page decodes <paramref name="frames"/> more frames of its one other participant's current video track.</summary>
    private static async Task DecodesMoreAsync(RealtimeKitPage page, int frames, string what)
    {
        var first = (await page.CurrentVideoAsync()).SingleOrDefault();
        await Eventually.MatchAsync(
            async () => (await page.CurrentVideoAsync()).SingleOrDefault(),
            now => now is { Serial: > 0 } && now.Frames - (first?.Serial == now.Serial ? first.Frames : 0) >= frames,
            what, TimeSpan.FromSeconds(30), now => $"{now}");
    }
}
