using Stagecast.RealtimeKit;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// A RealtimeKit client whose socket drops (closed under it with a code other than 1000, as a proxy or a network
/// would) opens a new one with the same <c>peerID</c> and joins again: it keeps its place in the room, so the others
/// never see it leave, and it hears the room again. (The server echoes the client's close code, as RFC 6455
/// suggests: the SDK reconnects only after a close that is not 1000.)
/// </summary>
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
        Assert.Equal(2, page.Frames.Count(f => f.Sent && f.Binary is { } b && SocketFrameReader.Read(b).Event == RealtimeKitEvents.Room.JoinRoom));
        Assert.Equal(2, await page.Page.EvaluateAsync<int>("() => window.sockets.length"));
        Assert.Single(page.Frames.Select(f => System.Web.HttpUtility.ParseQueryString(new Uri(f.Url).Query)["peerID"]).Distinct());

        // Still the same peer for everyone, and it hears the room again.
        await page.WaitForStateAsync(s => s.Self.RoomState == "joined", "the viewer joined again");
        await channel.OkAsync("chat_send", new { text = "welcome back" });
        await page.WaitForStateAsync(s => s.Chat.Any(m => m.Message == "welcome back"), "chat after the reconnect");
        Assert.DoesNotContain(channel.Seen, m => m.GetProperty("type").GetString() == "peer_left");
        Assert.Single(channel.Seen, m => m.GetProperty("type").GetString() == "peer_joined");
    }
}
