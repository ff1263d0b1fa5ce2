using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// The RealtimeKit test harness against a real server: Chromium reaches api.stagecast.test on the server's HTTPS port
/// through the resolver rule and trusts the server's certificate by its pin, the app page loads the SDK and the UI kit,
/// and the SDK's init asks the server for the participant's details.
/// </summary>
public sealed class RealtimeKitHarnessTests
{
    [Fact]
    public async Task TheAppPageReachesTheServerAsApiStagecastTestOverTlsAndLoadsTheUiKit()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var browser = rtk.Browser;
        int port = new Uri(rtk.Server.HttpBase).Port;
        var page = await browser.OpenAsync();

        // /healthz sends no CORS header, so the page gets an opaque answer: its status is for Playwright to see.
        var response = await page.Page.RunAndWaitForResponseAsync(
            () => page.Page.EvaluateAsync("url => fetch(url, { mode: 'no-cors' })", $"{browser.ApiBase}/healthz"),
            r => r.Url == $"{browser.ApiBase}/healthz");
        Assert.Equal(200, response.Status);
        var address = await response.ServerAddrAsync();
        Assert.Equal(("127.0.0.1", port), (address!.IpAddress, address.Port));
        var tls = await response.SecurityDetailsAsync();
        Assert.Equal(RealtimeKitBrowser.Domain, tls!.SubjectName);

        // The UI kit's lazily loaded ES modules come with a content type the browser runs.
        await page.LoadUiKitAsync();
    }

    /// <summary>
    /// docs/realtimekit.md's "Try it on one machine", followed: a certificate naming localhost and the names the SDK
    /// derives from it, <c>baseURI</c> "localhost:{HTTPS port}" with nothing mapping the names (Chromium resolves
    /// <c>*.localhost</c> itself), the app page on another origin: two participants with the GROUP_CALL preset the box
    /// names see each other, and nothing the pages asked of a localhost name failed (the telemetry hosts included).
    /// </summary>
    [Fact]
    public async Task TheDocsOneMachineSetUpJoinsACallUnderLocalhost()
    {
        await using var rtk = await RealtimeKitServer.StartForDomainAsync("localhost", null);
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant", name: "Bob");

        var adaPage = await browser.JoinAsync(ada.Token);
        var bobPage = await browser.JoinAsync(bob.Token);

        await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.FramesDecoded > 10), "Bob decoding Ada's video", TimeSpan.FromSeconds(60));
        await adaPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == bob.Id && p.FramesDecoded > 10), "Ada decoding Bob's video", TimeSpan.FromSeconds(60));
        Assert.StartsWith("https://api.localhost:", adaPage.Requests.First(r => r.Url.Contains("/v2/", StringComparison.Ordinal)).Url);
        var toLocalhost = adaPage.Requests.Concat(bobPage.Requests).Where(r => new Uri(r.Url).Host.EndsWith(".localhost", StringComparison.Ordinal)).ToList();
        Assert.Contains(toLocalhost, r => r.Url.StartsWith("https://da-collector.localhost:", StringComparison.Ordinal));
        Assert.All(toLocalhost, r => Assert.True(r.Failure is null, $"{r.Method} {new Uri(r.Url).GetLeftPart(UriPartial.Path)}: {r.Failure}"));
    }

    [Theory]
    [InlineData("2.0.2")]
    [InlineData("1.5.1")]
    public async Task TheSdkInitialisesWithTheParticipantsDetailsFromTheServer(string sdkVersion)
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        var ada = await api.AddParticipantAsync(await api.CreateMeetingAsync(), "ada", name: "Ada");
        var page = await browser.OpenAsync(sdkVersion);

        var self = await page.InitAsync(ada.Token, browser.BaseUri, media: false);

        Assert.Equal((ada.Id, "Ada", "init"), (self.UserId, self.Name, self.RoomState));
        var request = await page.WaitForRequestAsync("GET", "/v2/internals/participant-details");
        Assert.Equal($"{browser.ApiBase}/v2/internals/participant-details", request.Url);
        Assert.Equal($"Bearer {ada.Token}", (await request.AllHeadersAsync())["authorization"]);
        Assert.Contains(page.Frames, f => f.Url.StartsWith($"wss://socket-edge.{browser.BaseUri}/ws?", StringComparison.Ordinal) && f.Binary is not null);
    }
}
