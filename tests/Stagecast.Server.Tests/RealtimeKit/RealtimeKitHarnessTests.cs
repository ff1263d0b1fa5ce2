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
