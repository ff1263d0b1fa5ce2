using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Testing;
using Stagecast.WebRtc;
using Stagecast.WebRtc.Client;
using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>Stagecast's own WHEP client (the benchmark's viewer) against the server: media flows, a lying fingerprint is refused, limits hold.</summary>
[Collection(ServerCollection.Name)]
public sealed class WhepClientTests(ServerFixture server)
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
            await Task.Delay(3000);
            long video = viewer.VideoPackets;
            long audio = viewer.AudioPackets;
            Assert.True(video > 20 && audio > 50, $"video {video}, audio {audio} packets in 3 s");
            Assert.Equal(HttpStatusCode.OK, (await server.Http.DeleteAsync(server.HttpBase + viewer.Location)).StatusCode);
        }

        // The offer claims another certificate than the one DTLS presents: the server refuses the handshake.
        string other = DtlsCertificate.Create(TimeProvider.System).Fingerprint;
        await Assert.ThrowsAnyAsync<Exception>(() => WhepClient.ConnectAsync(server.Http, whep, certificate, fingerprint: other).WaitAsync(TimeSpan.FromSeconds(30)));
        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (transport.Sessions.Any(s => s is Stagecast.WebRtc.Whep.WhepSession w && w.StreamId == livestream.Id) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.DoesNotContain(transport.Sessions, s => s is Stagecast.WebRtc.Whep.WhepSession w && w.StreamId == livestream.Id);
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
        await Task.Delay(5000);
        Assert.Single(transport.Sessions); // consent checks every 2 s keep it
        await viewer.DisposeAsync();
        var silentSince = DateTime.UtcNow;
        while (transport.SessionCount > 0 && DateTime.UtcNow - silentSince < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, transport.SessionCount);
        Assert.InRange((DateTime.UtcNow - silentSince).TotalSeconds, 2, 6);
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
        var offeredAt = DateTime.UtcNow;
        Assert.Equal(2, transport.SessionCount);
        while (transport.SessionCount > 0 && DateTime.UtcNow - offeredAt < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, transport.SessionCount);
        Assert.InRange((DateTime.UtcNow - offeredAt).TotalSeconds, 1.5, 6);
        Assert.Matches("stagecast_webrtc_sessions_past_deadline_total [2-9]", await own.MetricsAsync());

        // A viewer that connects in time outlives the deadline.
        await using var viewer = await WhepClient.ConnectAsync(own.Http, whep, DtlsCertificate.Create(TimeProvider.System));
        await Task.Delay(4500);
        Assert.Equal(1, transport.SessionCount);
        Assert.True(viewer.VideoPackets > 20, $"{viewer.VideoPackets} video packets");
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
