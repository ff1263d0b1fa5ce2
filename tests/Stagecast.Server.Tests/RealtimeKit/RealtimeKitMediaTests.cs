using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// RealtimeKit's unmodified web SDK, in Chromium, in a GROUP_CALL: its two WebRTC connections come up against
/// Stagecast, its microphone and camera become the peer's camera stream in the meeting media, watched over meeting WHEP
/// by a participant on the JSON channel, who also sees it mute its camera and leave.
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class RealtimeKitMediaTests
{
    [Fact]
    public async Task AnSdkPeersCameraReachesAMeetingSubscriberAndItsMuteAndLeaveAreSeenOnTheChannel()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (server, api, browser) = (rtk.Server, rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");
        await using var channel = await RealtimeTestClient.ConnectAsync(server.HttpBase, bob.Token, rtk.Certificate);
        await channel.OkAsync("join");

        var page = await browser.JoinAsync(ada.Token);
        string adaPeer = (await channel.WaitForEventAsync("peer_joined", e => e.GetProperty("peer").GetProperty("user_id").GetString() == ada.Id))
            .GetProperty("peer").GetProperty("id").GetString()!;

        // Her microphone and camera flow: the channel sees both on, and a meeting subscriber receives her VP8.
        await channel.WaitForEventAsync("peer_updated", e => IsPeer(e, adaPeer, video: true, audio: true), TimeSpan.FromSeconds(30));
        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();
        var publisher = transport.Sessions.OfType<SfuPublisher>().SelectMany(p => p.Publications).Single(p => p.StreamId == new MeetingStreamKey(meeting, adaPeer, MediaSource.Camera).HubId);
        Assert.Equal(("VP8", "opus"), (publisher.Video!.Codec.Name, publisher.Audio!.Codec.Name));
        Assert.Single(transport.Sessions.OfType<SfuReceiveSession>()); // her receive transport, connected too
        Assert.All(transport.Sessions, s => Assert.True(s.IsConnected, $"session {s.Id} is not connected"));
        await using (var watcher = await Vp8WhepClient.ConnectAsync(server.Http, $"{server.HttpBase}/realtime/v1/peers/{adaPeer}/whep", bob.Token))
        {
            await Eventually.TrueAsync(() => watcher.VideoPackets > 100 && watcher.AudioPackets > 50, "Ada's VP8 and Opus at the meeting subscriber", TimeSpan.FromSeconds(30));
        }

        // She turns her camera off in the SDK: the channel sees her video off, her audio still on, and her video is muted at the server.
        await page.DisableVideoAsync();
        await Eventually.TrueAsync(() => publisher.Video.Muted, "Ada's video muted at the server");
        await Eventually.TrueAsync(() => channel.Seen.LastOrDefault(e => e.GetProperty("type").GetString() == "peer_updated"
            && e.GetProperty("peer").GetProperty("id").GetString() == adaPeer) is { ValueKind: JsonValueKind.Object } last && IsPeer(last, adaPeer, video: false, audio: true),
            "the channel's last word on Ada: video off, audio on");

        // She leaves: the channel sees her go, and both her connections end.
        await page.LeaveAsync();
        await channel.WaitForEventAsync("peer_left", e => e.GetProperty("peer_id").GetString() == adaPeer);
        await Eventually.TrueAsync(() => transport.SessionCount == 0, "Ada's transports to end");
        Assert.True(publisher.IsClosed);
    }

    private static bool IsPeer(JsonElement update, string peerId, bool video, bool audio)
    {
        var peer = update.GetProperty("peer");
        return peer.GetProperty("id").GetString() == peerId
            && peer.GetProperty("video_enabled").GetBoolean() == video
            && peer.GetProperty("audio_enabled").GetBoolean() == audio;
    }
}
