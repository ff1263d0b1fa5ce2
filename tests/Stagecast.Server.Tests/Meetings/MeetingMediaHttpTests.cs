using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>Meeting WHIP and WHEP over HTTP: who may publish and watch what, refused with the status and a reason.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class MeetingMediaHttpTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>A browser's sendonly offer: Opus with the audio level extension, VP8 and H.264.</summary>
    internal const string PublishOffer =
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n" +
        "a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\r\n" +
        "a=setup:actpass\r\na=mid:0\r\na=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n" +
        "m=video 9 UDP/TLS/RTP/SAVPF 96 102\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendonly\r\na=rtcp-mux\r\n" +
        "a=rtpmap:96 VP8/90000\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n";

    internal static readonly string WatchOffer = PublishOffer.Replace("a=sendonly", "a=recvonly", StringComparison.Ordinal);

    [Fact]
    public async Task OnlyAJoinedPeerPublishesItsOwnSourcesAsItsPresetAllows()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host");
        var viewer = await api.AddParticipantAsync(meeting, "viewer", "webinar_viewer");
        var (h, hostJoin) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var (v, viewerJoin) = await MeetingHelpers.JoinAsync(server.HttpBase, viewer);
        await using var _v = v;
        string hostPeer = hostJoin.GetProperty("peer_id").GetString()!;
        string viewerPeer = viewerJoin.GetProperty("peer_id").GetString()!;

        string otherMeeting = await api.CreateMeetingAsync();
        var stranger = await api.AddParticipantAsync(otherMeeting, "stranger");
        var (s, _) = await MeetingHelpers.JoinAsync(server.HttpBase, stranger);
        await using var _s = s;

        await AssertRefusedAsync(PostAsync(hostPeer, "whip", PublishOffer, null), HttpStatusCode.Unauthorized, "token");
        await AssertRefusedAsync(PostAsync(viewerPeer, "whip", PublishOffer, viewer.Token), HttpStatusCode.Forbidden, "not on the stage");
        await AssertRefusedAsync(PostAsync(viewerPeer, "whip", PublishOffer, viewer.Token, "screenshare"), HttpStatusCode.Forbidden, "not on the stage");
        await AssertRefusedAsync(PostAsync(viewerPeer, "whip", PublishOffer, host.Token), HttpStatusCode.Forbidden, "its own peer");
        await AssertRefusedAsync(PostAsync(hostPeer, "whip", PublishOffer, stranger.Token), HttpStatusCode.NotFound, "no peer");
        await AssertRefusedAsync(PostAsync("no-such-peer", "whip", PublishOffer, host.Token), HttpStatusCode.NotFound, "no peer");
        await AssertRefusedAsync(PostAsync(hostPeer, "whip", PublishOffer, host.Token, "window"), HttpStatusCode.BadRequest, "camera or screenshare");
        await AssertRefusedAsync(PostAsync(hostPeer, "whep", WatchOffer, viewer.Token), HttpStatusCode.NotFound, "does not publish its camera");
        await AssertRefusedAsync(PostAsync(hostPeer, "whep", WatchOffer, stranger.Token), HttpStatusCode.NotFound, "no peer");

        var published = await PostAsync(hostPeer, "whip", PublishOffer, host.Token);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        string answer = await published.Content.ReadAsStringAsync();
        Assert.Contains("m=video 9 UDP/TLS/RTP/SAVPF 96\r\n", answer); // VP8 first in meetings: every browser decodes it
        Assert.Contains("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", answer);
        Assert.StartsWith($"/realtime/v1/peers/{hostPeer}/whip/", published.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await server.Http.DeleteAsync(server.HttpBase + published.Headers.Location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.DeleteAsync(server.HttpBase + published.Headers.Location)).StatusCode);
    }

    [Fact]
    public async Task APresetWithoutVideoPublishesAudioOnlyAndTheMeetingCapsItsPublishers()
    {
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:MeetingMedia:MaxPublishersPerMeeting=1"])).AsAsyncDisposable(out var fixture);
        var api = await fixture.NewTenantAsync();
        await api.PostAsync("/presets", """{"name":"voice","permissions":{"can_produce_audio":true,"can_produce_video":false}}""");
        string meeting = await api.CreateMeetingAsync();
        var first = await api.AddParticipantAsync(meeting, "first", "voice");
        var second = await api.AddParticipantAsync(meeting, "second");
        var (a, aJoin) = await MeetingHelpers.JoinAsync(fixture.HttpBase, first);
        await using var _a = a;
        var (b, bJoin) = await MeetingHelpers.JoinAsync(fixture.HttpBase, second);
        await using var _b = b;

        var voice = await PostAsync(aJoin.GetProperty("peer_id").GetString()!, "whip", PublishOffer, first.Token, http: fixture);
        Assert.Equal(HttpStatusCode.Created, voice.StatusCode);
        string answer = await voice.Content.ReadAsStringAsync();
        Assert.Contains("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", answer);
        Assert.Contains("m=video 0 ", answer); // the video its preset forbids is refused in the answer

        await AssertRefusedAsync(PostAsync(bJoin.GetProperty("peer_id").GetString()!, "whip", PublishOffer, second.Token, http: fixture),
            HttpStatusCode.Conflict, "1 publishing peers");
    }

    [Fact]
    public async Task PublishersAndSubscribersAreAnsweredWithTransportWideFeedbackUnlessCongestionControlIsTurnedOff()
    {
        // Chrome numbers its packets transport-wide when offered; the answer takes it (on by default since
        // 2026-11-30), so Chrome's estimator runs on our feedback. `--webrtc-congestion-control false` answers without.
        // A WHEP subscriber's offer is answered with it too: its feedback is the estimate of its downlink.
        string offer = PublishOffer.Replace("a=rtpmap:96 VP8/90000\r\n",
            "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 transport-cc\r\na=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n", StringComparison.Ordinal);
        string watch = offer.Replace("a=sendonly", "a=recvonly", StringComparison.Ordinal);
        await using var own = (await ServerFixture.StartAsync(["--webrtc-congestion-control", "false"])).AsAsyncDisposable(out var off);
        foreach (var (fixture, on) in new[] { (server, true), (off, false) })
        {
            var api = await fixture.NewTenantAsync();
            string meeting = await api.CreateMeetingAsync();
            var host = await api.AddParticipantAsync(meeting, "host", "group_call_host");
            var (channel, join) = await MeetingHelpers.JoinAsync(fixture.HttpBase, host);
            await using var _ = channel;
            var published = await PostAsync(join.GetProperty("peer_id").GetString()!, "whip", offer, host.Token, http: fixture);
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
            string answer = await published.Content.ReadAsStringAsync();
            Assert.Equal(on, answer.Contains("transport-wide-cc-extensions-01", StringComparison.Ordinal));
            Assert.Equal(on, answer.Contains("a=rtcp-fb:96 transport-cc\r\n", StringComparison.Ordinal));

            string peer = join.GetProperty("peer_id").GetString()!;
            var tracks = fixture.App.Services.GetRequiredService<MeetingMediaHub>();
            tracks.Hub.TryPublish(new MeetingStreamKey(meeting, peer, MediaSource.Screenshare).HubId, new PublisherInfo("webrtc", "test"), out var screen);
            screen!.SetRtpFormats(new RtpTrackFormat("VP8", 90000, 1, ""), null);
            try
            {
                var watched = await PostAsync(peer, "whep", watch, host.Token, "screenshare", fixture);
                Assert.Equal(HttpStatusCode.Created, watched.StatusCode);
                string watchAnswer = await watched.Content.ReadAsStringAsync();
                Assert.Equal(on, watchAnswer.Contains("a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n", StringComparison.Ordinal));
                Assert.Equal(on, watchAnswer.Contains("a=rtcp-fb:96 transport-cc\r\n", StringComparison.Ordinal));
            }
            finally
            {
                screen.Unpublish();
            }
        }
    }

    [Fact]
    public async Task AHiddenPeersSourceIsNobodysToWatchButItsOwnParticipants()
    {
        var api = await server.NewTenantAsync();
        (await api.PostAsync("/presets", """{"name":"hidden","permissions":{"hidden_participant":true,"can_produce_audio":true,"can_produce_video":true}}""")).EnsureOk();
        string meeting = await api.CreateMeetingAsync();
        var ghost = await api.AddParticipantAsync(meeting, "ghost", "hidden");
        var watcher = await api.AddParticipantAsync(meeting, "watcher");
        var (g, gJoin) = await MeetingHelpers.JoinAsync(server.HttpBase, ghost);
        await using var _g = g;
        var (w, _) = await MeetingHelpers.JoinAsync(server.HttpBase, watcher);
        await using var _w = w;
        string ghostPeer = gJoin.GetProperty("peer_id").GetString()!;

        var tracks = server.App.Services.GetRequiredService<MeetingMediaHub>();
        tracks.Hub.TryPublish(new MeetingStreamKey(meeting, ghostPeer, MediaSource.Camera).HubId, new PublisherInfo("webrtc", "test"), out var source);
        source!.SetRtpFormats(new RtpTrackFormat("VP8", 90000, 1, ""), new RtpTrackFormat("opus", 48000, 2, ""));
        try
        {
            // The router's one rule, as RealtimeKit's consumers are held to it: a hidden peer's media is seen by nobody else.
            await AssertRefusedAsync(PostAsync(ghostPeer, "whep", WatchOffer, watcher.Token), HttpStatusCode.NotFound, "no peer");
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(ghostPeer, "whep", WatchOffer, ghost.Token)).StatusCode); // its own video
        }
        finally
        {
            source.Unpublish();
        }
    }

    [Fact]
    public async Task ASubscriberWatchesAtMostItsPresetsNumberOfPeersAndNeverGetsItsOwnAudio()
    {
        var api = await server.NewTenantAsync();
        await api.PostAsync("/presets", """{"name":"narrow","config":{"max_video_streams":{"desktop":1,"mobile":1}}}""");
        string meeting = await api.CreateMeetingAsync();
        var watcher = await api.AddParticipantAsync(meeting, "watcher", "narrow");
        var ada = await api.AddParticipantAsync(meeting, "ada");
        var bob = await api.AddParticipantAsync(meeting, "bob");
        var (w, wJoin) = await MeetingHelpers.JoinAsync(server.HttpBase, watcher);
        await using var _w = w;
        var (a, aJoin) = await MeetingHelpers.JoinAsync(server.HttpBase, ada);
        await using var _a = a;
        var (b, bJoin) = await MeetingHelpers.JoinAsync(server.HttpBase, bob);
        await using var _b = b;
        string watcherPeer = wJoin.GetProperty("peer_id").GetString()!;
        string adaPeer = aJoin.GetProperty("peer_id").GetString()!;
        string bobPeer = bJoin.GetProperty("peer_id").GetString()!;

        // Sources as the hub holds them (their publishers' media is not needed to subscribe).
        var tracks = server.App.Services.GetRequiredService<MeetingMediaHub>();
        var sources = new[] { watcherPeer, adaPeer, bobPeer }.Select(peer =>
        {
            tracks.Hub.TryPublish(new MeetingStreamKey(meeting, peer, MediaSource.Camera).HubId, new PublisherInfo("webrtc", "test"), out var publisher);
            publisher!.SetRtpFormats(new RtpTrackFormat("VP8", 90000, 1, ""), new RtpTrackFormat("opus", 48000, 2, ""));
            return publisher;
        }).ToList();
        try
        {
            var own = await PostAsync(watcherPeer, "whep", WatchOffer, watcher.Token);
            Assert.Equal(HttpStatusCode.Created, own.StatusCode);
            string ownAnswer = await own.Content.ReadAsStringAsync();
            Assert.Contains("m=audio 0 ", ownAnswer); // its own audio: refused in the answer
            Assert.Contains("a=rtpmap:96 VP8/90000", ownAnswer);

            Assert.Equal(HttpStatusCode.Created, (await PostAsync(adaPeer, "whep", WatchOffer, watcher.Token)).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(adaPeer, "whep", WatchOffer, watcher.Token)).StatusCode); // the same peer again
            await AssertRefusedAsync(PostAsync(bobPeer, "whep", WatchOffer, watcher.Token), HttpStatusCode.Forbidden, "max_video_streams");
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(bobPeer, "whep", WatchOffer, ada.Token)).StatusCode); // a host may watch many
        }
        finally
        {
            sources.ForEach(s => s.Unpublish());
        }
    }

    private Task<HttpResponseMessage> PostAsync(string peerId, string kind, string offer, string? token, string source = "camera", ServerFixture? http = null)
    {
        var target = http ?? server;
        var request = new HttpRequestMessage(HttpMethod.Post, $"{target.HttpBase}/realtime/v1/peers/{peerId}/{kind}?source={source}")
        {
            Content = new StringContent(offer, Encoding.UTF8, "application/sdp"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return target.Http.SendAsync(request);
    }

    private static async Task AssertRefusedAsync(Task<HttpResponseMessage> call, HttpStatusCode status, string reason)
    {
        var response = await call;
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {status}, got {response.StatusCode}: {body}");
        var error = JsonDocument.Parse(body).RootElement;
        Assert.False(error.GetProperty("success").GetBoolean());
        Assert.Contains(reason, error.GetProperty("error").GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}
