using System.Text.RegularExpressions;
using Stagecast.Server.Tests.Meetings;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.RealtimeKit;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Peers on RealtimeKit's unmodified SDK on a network that lets no UDP through to the server: their connections may use
/// relayed candidates only, through the TURN server (Debian's coturn) that <c>GET /iceservers</c> names with a
/// credential of the participant's, and a group call works all the same. When the path fails (the TURN server crashes
/// and comes back with none of its allocations), the SDK rebuilds its transports and the call goes on.
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class RealtimeKitTurnTests : IAsyncLifetime
{
    private CoturnServer _turn = null!;

    public async Task InitializeAsync() => _turn = await CoturnServer.StartAsync();

    public async Task DisposeAsync() => await _turn.DisposeAsync();

    [Fact]
    public async Task TwoSdkPeersAllowedOnlyRelayedCandidatesSeeEachOtherThroughCoturn()
    {
        var (rtk, adaPage, bobPage, _, _) = await StartRelayedCallAsync();
        await using var _ = rtk;

        // Each peer's connections (its send and receive transports at least) are connected over relayed candidates, through
        // allocations of coturn's. A transport that decodes may not have reported its selected pair in its stats yet.
        foreach (var page in new[] { adaPage, bobPage })
        {
            var types = await Eventually.MatchAsync(page.SelectedCandidateTypesAsync, t => t.Count >= 2, "a selected pair on both transports",
                describe: t => string.Join(", ", t));
            Assert.All(types, t => Assert.Equal("relay", t));
        }

        Assert.True(Regex.Count(_turn.Log, "incoming packet ALLOCATE processed, success") >= 4, _turn.Log);
    }

    [Fact]
    public async Task WhenTheRelayedPathFailsTheSdkRebuildsItsTransportsAndTheCallGoesOn()
    {
        var (rtk, adaPage, bobPage, adaSaw, bobSaw) = await StartRelayedCallAsync();
        await using var _ = rtk;
        var transport = rtk.Server.App.Services.GetRequiredService<WebRtcTransport>();
        var before = transport.Sessions.ToList();
        int transports = Sent(adaPage, RealtimeKitEvents.Media.CreateWebRtcTransport) + Sent(bobPage, RealtimeKitEvents.Media.CreateWebRtcTransport);

        // coturn crashes and comes back on its port, without the allocations every path went through: the connections
        // go to disconnected, and the SDK (2 s later) closes each transport and makes a new one, produces and consumes again.
        (int port, string secret) = (_turn.Port, _turn.Secret);
        await _turn.DisposeAsync();
        _turn = await CoturnServer.StartAsync(port, secret);

        long bobDecoded = bobSaw.Participants.Single().FramesDecoded, adaDecoded = adaSaw.Participants.Single().FramesDecoded;
        await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == adaSaw.Self.UserId && p.FramesDecoded > bobDecoded + 30),
            "Bob decoding Ada's video again", TimeSpan.FromSeconds(90));
        await adaPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == bobSaw.Self.UserId && p.FramesDecoded > adaDecoded + 30),
            "Ada decoding Bob's video again", TimeSpan.FromSeconds(90));

        // The server closed the transports the new ones replaced: it holds a send and a receive transport per peer.
        await Eventually.TrueAsync(() => before.All(s => s.IsClosed), "the old transports closed");
        Assert.Equal(2, transport.Sessions.OfType<SfuPublisher>().Count());
        Assert.Equal(2, transport.Sessions.OfType<SfuReceiveSession>().Count());
        Assert.True(Sent(adaPage, RealtimeKitEvents.Media.CreateWebRtcTransport) + Sent(bobPage, RealtimeKitEvents.Media.CreateWebRtcTransport) >= transports + 4,
            "each peer made new send and receive transports");
        Assert.Contains("incoming packet ALLOCATE processed, success", _turn.Log, StringComparison.Ordinal);
    }

    /// <summary>
    /// A server whose /iceservers names coturn, and Ada and Bob on the SDK allowed relayed candidates only, each decoding
    /// the other's video with the other's audio live; with what each saw then.
    /// </summary>
    private async Task<(RealtimeKitServer Rtk, RealtimeKitPage Ada, RealtimeKitPage Bob, RtkState AdaSaw, RtkState BobSaw)> StartRelayedCallAsync()
    {
        var rtk = await RealtimeKitServer.StartAsync("--turn-url", _turn.Url, "--turn-secret", _turn.Secret);
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");
        var adaPage = await browser.JoinAsync(ada.Token, relayOnly: true);
        var bobPage = await browser.JoinAsync(bob.Token, relayOnly: true);
        var bobSaw = await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.AudioLive && p.FramesDecoded > 30),
            "Bob decoding Ada's video through TURN", TimeSpan.FromSeconds(60));
        var adaSaw = await adaPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == bob.Id && p.AudioLive && p.FramesDecoded > 30),
            "Ada decoding Bob's video through TURN", TimeSpan.FromSeconds(60));
        return (rtk, adaPage, bobPage, adaSaw, bobSaw);
    }

    private static int Sent(RealtimeKitPage page, uint @event) =>
        page.Frames.Count(f => f.Sent && f.Event == @event);
}
