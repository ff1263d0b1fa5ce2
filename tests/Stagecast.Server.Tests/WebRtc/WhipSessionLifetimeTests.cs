using Microsoft.Extensions.DependencyInjection;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>
/// A WHIP session lives on consent (RFC 7675): past a minute while the browser keeps checking, and not 30 s past the
/// browser's end. Its own server, so its two minutes run beside the shared server's tests.
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class WhipSessionLifetimeTests
{
    [Fact]
    public async Task AWhipSessionStaysUpPastAMinuteAndEndsWithin30SecondsOfTheBrowserClosing()
    {
        var server = await ServerFixture.StartAsync([]);
        await using var stop = server.AsAsyncDisposable();
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await browser.OpenAsync("webrtc.html");
        await page.EvaluateAsync("([url, key]) => whipPublish(url, key)", new[] { $"{server.HttpBase}/{livestream.Id}/whip", livestream.StreamKey });
        await WhipBrowserTests.WaitForConnectedAsync(page);
        await tenant.WaitForStatusAsync(livestream.Id, "LIVE", TimeSpan.FromSeconds(20));

        // Past a minute on the browser's consent checks (the session's own age, not a sleep).
        var session = await server.WhipSessionAsync(livestream.Id);
        await Eventually.TrueAsync(() => session.IsClosed || session.Age > TimeSpan.FromSeconds(65), "the session to live past a minute", TimeSpan.FromSeconds(90));
        Assert.False(session.IsClosed, session.CloseReason);
        Assert.Equal("LIVE", (await tenant.GetLivestreamAsync(livestream.Id)).GetProperty("livestream").GetProperty("status").GetString());

        // The browser goes away without DELETE: the session ends (its close_notify; consent would within 30 s), and after
        // the reconnect window so does the stream, as ERRORED like any publisher lost without unpublishing.
        await page.EvaluateAsync("() => closeOnly()");
        var hub = server.App.Services.GetRequiredService<Stagecast.Streaming.StreamHub>();
        await Eventually.TrueAsync(() => hub.Find(livestream.Id)?.Publisher is null, "the publisher to go", TimeSpan.FromSeconds(35));
        await tenant.WaitForStatusAsync(livestream.Id, "ERRORED", ServerFixture.ReconnectWindow + TimeSpan.FromSeconds(10));
    }
}
