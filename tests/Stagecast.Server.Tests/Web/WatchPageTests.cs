using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Web;

/// <summary>The watch page in Debian's Chromium: an ffmpeg-published stream plays, with its picture as the poster and how far behind live it is.</summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class WatchPageTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task TheWatchPagePlaysShowsItsDelayAndViewersAndFollowsThePublisherOffAndOn()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync("launch-party");
        string watchUrl = (await tenant.GetLivestreamAsync(livestream.Id)).GetProperty("livestream").GetProperty("watch_url").GetString()!;
        Assert.Equal($"{server.HttpBase}/watch/{livestream.Id}", watchUrl);

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.OpenUrlAsync(watchUrl);
        var requested = new System.Collections.Concurrent.ConcurrentQueue<string>(); // the page keeps requesting while the test reads it
        page.Request += (_, request) => requested.Enqueue(request.Url);
        Assert.Equal("launch-party · Stagecast", await page.TitleAsync());
        await WaitForStateAsync(page, "offline");

        var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(120, "320x180"));
        try
        {
            await WaitForStateAsync(page, "live");
            Assert.Equal($"{server.HttpBase}/{livestream.Id}/thumbnail.jpg", await page.EvaluateAsync<string>("() => document.getElementById('video').poster"));
            // The page shows how far behind live the picture is, from the playlist's program date-time (the figure itself,
            // about a second on this machine, is measured in bench/): a positive number, the same the viewer reads.
            await WaitForAsync(page, "() => window.stagecast.delay !== null && document.getElementById('video').currentTime > 2", "playback to start and run", 40);
            var reading = await page.EvaluateAsync<JsonElement>("() => [window.stagecast.delay, document.getElementById('delay').dataset.seconds]");
            double delay = reading[0].GetDouble();
            // Never ahead of live (the page shows 0 then: a part's program date-time is when its first frame arrived, which a
            // starved machine can make later than the picture's real time).
            Assert.True(delay >= 0, $"the page shows {delay} s behind live");
            Assert.Equal(delay, double.Parse(reading[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture), 3);
            await AssertPlaybackAdvancesAsync(page);
            await WaitForAsync(page, "() => document.getElementById('viewers').dataset.count === '1'", "the page counts its own player");
            await Browser.ScreenshotAsync(page, "watch-live");
        }
        finally
        {
            await publisher.InterruptAsync(); // ffmpeg unpublishes: the stream ends now
            await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15));
            await publisher.DisposeAsync();
        }

        await WaitForStateAsync(page, "offline");
        Assert.True(await page.IsVisibleAsync("#offline"));
        Assert.Equal("", await page.EvaluateAsync<string>("() => document.getElementById('video').poster"));
        await Browser.ScreenshotAsync(page, "watch-offline");

        await using (Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60, "320x180")))
        {
            await WaitForStateAsync(page, "live");
            await AssertPlaybackAdvancesAsync(page);
        }

        // Everything the page loaded came from Stagecast (media through MSE blob URLs).
        Assert.NotEmpty(requested);
        Assert.All(requested, url => Assert.True(url.StartsWith(server.HttpBase, StringComparison.Ordinal) || url.StartsWith("blob:", StringComparison.Ordinal), url));
    }

    [Fact]
    public async Task OpenedOnAnotherHostNameThanThePublicUrlTheWatchPagePlays()
    {
        // The first start prints localhost while the API names the bind address (127.0.0.1 here): the page's CSP, its
        // own origin only, refused the playlist and the picture of the public URL, and the page stayed blank.
        var livestream = await server.NewLivestreamAsync();
        string opened = server.HttpBase.Replace("//127.0.0.1:", "//localhost:", StringComparison.Ordinal);
        Assert.NotEqual(server.HttpBase, opened);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.OpenUrlAsync($"{opened}/watch/{livestream.Id}");
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60, "320x180"));
        await WaitForStateAsync(page, "live");
        Assert.Equal($"{opened}/{livestream.Id}/thumbnail.jpg", await page.EvaluateAsync<string>("() => document.getElementById('video').poster"));
        await AssertPlaybackAdvancesAsync(page);
    }

    [Fact]
    public async Task TheShortLinkRedirectsTheEmbedVariantMayBeFramedAndAnUnknownIdIsA404()
    {
        var livestream = await server.NewLivestreamAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(server.HttpBase) };

        var redirect = await http.GetAsync($"/{livestream.Id}");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal($"/watch/{livestream.Id}", redirect.Headers.Location!.OriginalString);

        var page = await http.GetAsync($"/watch/{livestream.Id}");
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        var embed = await http.GetAsync($"/watch/{livestream.Id}?embed=1");
        Assert.Contains("frame-ancestors *", embed.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("class=\"watch embed\"", await embed.Content.ReadAsStringAsync());

        var state = JsonDocument.Parse(await http.GetStringAsync($"/watch/{livestream.Id}/state")).RootElement;
        Assert.False(state.GetProperty("live").GetBoolean());
        Assert.Equal(0, state.GetProperty("live_viewers").GetInt32());

        string unknown = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/watch/{unknown}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/watch/{unknown}/state")).StatusCode);

        var script = await http.GetAsync("/assets/hls.min.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        var again = new HttpRequestMessage(HttpMethod.Get, "/assets/hls.min.js");
        again.Headers.IfNoneMatch.Add(script.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(again)).StatusCode);
    }

    internal static Task WaitForStateAsync(IPage page, string state) =>
        WaitForAsync(page, $"() => document.getElementById('state').dataset.state === '{state}'", $"the page to show {state}", 30);

    internal static async Task WaitForAsync(IPage page, string condition, string what, int seconds = 20)
    {
        try
        {
            await page.WaitForFunctionAsync(condition, null, new PageWaitForFunctionOptions { Timeout = seconds * 1000, PollingInterval = 100 });
        }
        catch (TimeoutException)
        {
            string status = await page.EvaluateAsync<string>("() => JSON.stringify(window.stagecast || null) + ' ' + document.body.innerText");
            throw new TimeoutException($"waiting for {what}: {status}");
        }
    }

    private static async Task AssertPlaybackAdvancesAsync(IPage page)
    {
        await WaitForAsync(page, "() => document.getElementById('video').currentTime > 1", "video time to advance", 30);
        double before = await page.EvaluateAsync<double>("() => document.getElementById('video').currentTime");
        await WaitForAsync(page, $"() => document.getElementById('video').currentTime > {before.ToString(System.Globalization.CultureInfo.InvariantCulture)} + 1.5", "the video to play on", 30);
    }
}
