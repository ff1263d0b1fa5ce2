using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Streaming;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc;
using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>Stagecast's own WHEP client (the benchmark's viewer) against the server: media flows, a lying fingerprint is refused, limits hold.</summary>
public sealed class WhepClientTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AViewerReceivesVideoAndAudioAndALyingFingerprintIsRefused()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(30, "320x180"));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        string whep = $"{server.HttpBase}/{livestream.Id}/whep";
        var certificate = DtlsCertificate.Create(TimeProvider.System);

        await using (var viewer = await WhepClient.ConnectAsync(server.Http, whep, certificate))
        {
            await Eventually.TrueAsync(() => viewer.VideoPackets > 20 && viewer.AudioPackets > 50, "video and audio packets at the viewer");
            Assert.Equal(HttpStatusCode.OK, (await server.Http.DeleteAsync(server.HttpBase + viewer.Location)).StatusCode);
        }

        // The offer claims another certificate than the one DTLS presents: the server refuses the handshake, and the
        // client tells its alert from one of its own.
        string other = DtlsCertificate.Create(TimeProvider.System).Fingerprint;
        var refused = await Assert.ThrowsAsync<WebRtcProtocolException>(() => WhepClient.ConnectAsync(server.Http, whep, certificate, fingerprint: other)
            .WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("the server sent bad_certificate(42)", refused.Message, StringComparison.Ordinal);
        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();
        await Eventually.TrueAsync(() => !transport.Sessions.Any(s => s is Stagecast.WebRtc.Whep.WhepSession w && w.StreamId == livestream.Id),
            "the refused session to go");
        Assert.DoesNotContain(transport.Sessions, s => s is Stagecast.WebRtc.Whep.WhepSession w && w.StreamId == livestream.Id);
    }

    [Fact]
    public async Task ViewersOfOneStreamShareOneReaderAndEachGetsItsOwnPackets()
    {
        var own = await ServerFixture.StartAsync(["--set", "Stagecast:WebRtc:MaxSessionsPerAddress=100"]);
        await using var stop = own.AsAsyncDisposable();
        var livestream = await own.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60, "320x180"));
        await own.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        string whep = $"{own.HttpBase}/{livestream.Id}/whep";
        var certificate = DtlsCertificate.Create(TimeProvider.System);
        var stream = own.App.Services.GetRequiredService<StreamHub>().Find(livestream.Id)!;

        // More viewers than one thread serves, so the frame is split across cores; each viewer decrypts only packets
        // written with its own SSRC, sequence numbers and keys.
        var viewers = new List<WhepClient>();
        try
        {
            for (int i = 0; i < 40; i++)
            {
                viewers.Add(await WhepClient.ConnectAsync(own.Http, whep, certificate));
            }

            await Eventually.TrueAsync(() => viewers.All(v => v.VideoPackets > 20), "video at every viewer");
            Assert.Single(stream.Readers, r => r.Name == "whep-fanout");
            Assert.Equal(40, stream.Viewers);

            // Half leave; the others go on receiving and are still counted.
            foreach (var viewer in viewers[..20])
            {
                Assert.Equal(HttpStatusCode.OK, (await own.Http.DeleteAsync(own.HttpBase + viewer.Location)).StatusCode);
            }

            var before = viewers[20..].Select(v => v.VideoPackets).ToArray();
            await Eventually.TrueAsync(() => viewers[20..].Select((v, i) => v.VideoPackets > before[i] + 20).All(b => b), "video at the viewers who stayed");
            Assert.Equal(20, stream.Viewers);
            Assert.All(viewers, v => Assert.Equal(0, v.Rejected));

            foreach (var viewer in viewers[20..])
            {
                Assert.Equal(HttpStatusCode.OK, (await own.Http.DeleteAsync(own.HttpBase + viewer.Location)).StatusCode);
            }

            Assert.Equal(0, stream.Viewers);
            Assert.DoesNotContain(stream.Readers, r => r.Name == "whep-fanout");
        }
        finally
        {
            foreach (var viewer in viewers)
            {
                await viewer.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AViewerThatFallsSilentIsDroppedWhenConsentExpires()
    {
        // Consent shortened from 30 s to 3 s: the viewer vanishes without DELETE or close_notify (its socket just closes).
        var own = await ServerFixture.StartAsync(["--set", "Stagecast:WebRtc:ConsentTimeout=00:00:03"]);
        await using var stop = own.AsAsyncDisposable();
        var livestream = await own.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(30, "320x180"));
        await own.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        var transport = own.App.Services.GetRequiredService<WebRtcTransport>();

        var viewer = await WhepClient.ConnectAsync(own.Http, $"{own.HttpBase}/{livestream.Id}/whep", DtlsCertificate.Create(TimeProvider.System));
        var session = Assert.Single(transport.Sessions);
        // Consent checks every 2 s keep it past the timeout...
        await Eventually.TrueAsync(() => session.IsClosed || session.Age > TimeSpan.FromSeconds(5), "the session to outlive the consent timeout");
        Assert.False(session.IsClosed, session.CloseReason);
        // ...and once they stop, the timeout ends it.
        await viewer.DisposeAsync();
        await Eventually.TrueAsync(() => transport.SessionCount == 0, "the silent viewer's session to end", TimeSpan.FromSeconds(15));
        Assert.StartsWith("no consent from the peer", session.CloseReason);
    }

    [Fact]
    public async Task PeersThatDoNotCompleteIceAndDtlsAreDroppedAtTheConnectDeadline()
    {
        // The deadline shortened from 15 s to 3 s.
        var own = await ServerFixture.StartAsync(["--set", "Stagecast:WebRtc:ConnectDeadline=00:00:03"]);
        await using var stop = own.AsAsyncDisposable();
        var livestream = await own.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(30, "320x180"));
        await own.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        var transport = own.App.Services.GetRequiredService<WebRtcTransport>();
        string whep = $"{own.HttpBase}/{livestream.Id}/whep";

        // One peer offers and never sends a packet; another completes ICE, keeps it alive, but never starts DTLS.
        Assert.Equal(HttpStatusCode.Created, (await own.Http.PostAsync(whep, new StringContent(WhepBrowserTests.SampleOffer, Encoding.UTF8, "application/sdp"))).StatusCode);
        await using var stalled = await WhepClient.OfferWithoutDtlsAsync(own.Http, whep, DtlsCertificate.Create(TimeProvider.System));
        Assert.Equal(2, transport.SessionCount);
        var offered = transport.Sessions.ToList();
        await Eventually.TrueAsync(() => transport.SessionCount == 0, "the sessions that never connected to be dropped", TimeSpan.FromSeconds(15));
        Assert.All(offered, s => Assert.Equal("ICE and DTLS did not complete in time", s.CloseReason));
        Assert.Matches("stagecast_webrtc_sessions_past_deadline_total [2-9]", await own.MetricsAsync());

        // A viewer that connects in time outlives the deadline.
        await using var viewer = await WhepClient.ConnectAsync(own.Http, whep, DtlsCertificate.Create(TimeProvider.System));
        var connected = Assert.Single(transport.Sessions);
        await Eventually.TrueAsync(() => connected.IsClosed || (connected.Age > TimeSpan.FromSeconds(4) && viewer.VideoPackets > 20), "the viewer to outlive the deadline");
        Assert.False(connected.IsClosed, connected.CloseReason);
    }

    [Fact]
    public async Task SessionsPerClientAddressAreLimited()
    {
        var own = await ServerFixture.StartAsync(["--set", "Stagecast:WebRtc:MaxSessionsPerAddress=2"]);
        await using var stop = own.AsAsyncDisposable();
        var livestream = await own.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(30, "320x180"));
        await own.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        string whep = $"{own.HttpBase}/{livestream.Id}/whep";

        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await own.Http.PostAsync(whep, new StringContent(WhepBrowserTests.SampleOffer, Encoding.UTF8, "application/sdp"))).StatusCode);
        }

        var refused = await own.Http.PostAsync(whep, new StringContent(WhepBrowserTests.SampleOffer, Encoding.UTF8, "application/sdp"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("too many WebRTC sessions", await refused.Content.ReadAsStringAsync());
        Assert.Matches("stagecast_webrtc_sessions_refused_total [1-9]", await own.MetricsAsync());
    }
}
