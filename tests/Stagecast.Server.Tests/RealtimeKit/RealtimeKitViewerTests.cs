using System.Text.Json;
using Stagecast.RealtimeKit;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// RealtimeKit's unmodified web SDK, in Chromium, as a LIVESTREAM viewer (off stage, no WebRTC at all): it initialises
/// and joins over Stagecast's socket, and shares the meeting with a participant on Stagecast's JSON channel: chat both
/// ways, a poll and its votes, and the meeting's livestream from invoked to live.
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class RealtimeKitViewerTests
{
    [Theory]
    [InlineData("2.0.2")]
    [InlineData("1.5.1")]
    public async Task AViewerOnTheSdkSharesChatPollsAndTheLivestreamWithAChannelParticipant(string sdkVersion)
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (server, api, browser) = (rtk.Server, rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync("""{"title":"Town hall"}""");
        var host = await api.AddParticipantAsync(meeting, "host", "livestream_host", name: "Hana");
        var viewer = await api.AddParticipantAsync(meeting, "viewer", "livestream_viewer", name: "Vic");
        await using var channel = await RealtimeTestClient.ConnectAsync(server.HttpBase, host.Token, rtk.Certificate);
        await channel.OkAsync("join");
        var page = await browser.OpenAsync(sdkVersion);

        var self = await page.InitAsync(viewer.Token, browser.BaseUri, media: false);
        Assert.Equal(viewer.Id, self.UserId);
        await page.JoinAsync();
        var joined = await page.WaitForStateAsync(s => s.Self.RoomState == "joined", "the viewer joined");
        Assert.Equal("IDLE", joined.Livestream?.State);
        Assert.Equal(0, await page.Page.EvaluateAsync<int>("() => window.connections.length"));

        // Chat both ways: the SDK shows a message when the server pushes it, its own included.
        await channel.OkAsync("chat_send", new { text = "welcome, everyone" });
        await page.WaitForStateAsync(s => s.Chat.Any(m => m.Message == "welcome, everyone" && m.DisplayName == "Hana"), "the channel's chat at the viewer");
        await page.SendTextAsync("hello from the SDK");
        var said = await channel.WaitForEventAsync("chat_message", m => m.GetProperty("message").GetProperty("text").GetString() == "hello from the SDK");
        Assert.Equal(viewer.Id, said.GetProperty("message").GetProperty("user_id").GetString());
        await page.WaitForStateAsync(s => s.Chat.Any(m => m.Message == "hello from the SDK" && m.UserId == viewer.Id), "the viewer's own message, pushed back");

        // A poll from the channel; the viewer votes; the channel sees the vote counted.
        string pollId = (await channel.OkAsync("poll_create", new { question = "Next topic?", options = new[] { "Roadmap", "Hiring" } }))
            .GetProperty("poll").GetProperty("id").GetString()!;
        await page.WaitForStateAsync(s => s.Polls.Any(p => p.Id == pollId && p.Question == "Next topic?" && p.Options.Count == 2), "the poll at the viewer");
        await page.VoteAsync(pollId, 1);
        await channel.WaitForEventAsync("poll_updated", m => m.GetProperty("poll").GetProperty("options")[1].GetProperty("count").GetInt32() == 1);
        await page.WaitForStateAsync(s => s.Polls.Single(p => p.Id == pollId).Options[1].Count == 1, "the vote counted at the viewer");

        // By now anything about the chat message has arrived: the sender holds it once (an answer to its send as well as
        // the push used to show it twice).
        Assert.Single((await page.StateAsync()).Chat, m => m.Message == "hello from the SDK");

        // The host starts a manually fed livestream on the channel and pushes RTMP: the viewer sees it live, with the URL to play.
        var started = (await channel.OkAsync("livestream_start", new { manual_ingest = true })).GetProperty("livestream");
        var credentials = started.GetProperty("ingestion_credentials");
        await using var publisher = Ffmpeg.Publish($"{credentials.GetProperty("ingestion_server").GetString()}/{credentials.GetProperty("stream_key").GetString()}",
            Ffmpeg.AudioVideo(60, "320x180"));
        var live = await page.WaitForStateAsync(s => s.Livestream?.State == "LIVESTREAMING", "the livestream live at the viewer", TimeSpan.FromSeconds(30));
        Assert.Equal(started.GetProperty("playback_url").GetString(), live.Livestream!.PlaybackUrl);

        await channel.OkAsync("livestream_stop");
        await page.WaitForStateAsync(s => s.Livestream?.State == "IDLE", "the livestream stopped at the viewer");

        // What the SDK sent is RealtimeKit's protocol as Stagecast reads it: every frame decodes, requests carry ids.
        var sent = page.Frames.Where(f => f.Sent && f.Binary is not null).Select(f => SocketFrameReader.Read(f.Binary)).ToList();
        Assert.Contains(sent, m => m.Event == RealtimeKitEvents.Room.JoinRoom && m.HasId);
        Assert.Contains(sent, m => m.Event == RealtimeKitEvents.Chat.SendMessageToRoom);
        Assert.Contains(sent, m => m.Event == RealtimeKitEvents.Polls.VotePoll);
    }
}
