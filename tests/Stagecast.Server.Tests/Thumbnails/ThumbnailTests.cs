using System.Globalization;
using System.Net;
using System.Text.Json;
using Stagecast.Server.Features.Thumbnails;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Thumbnails;

/// <summary>
/// <c>GET /{livestream_id}/thumbnail.jpg</c> of streams an ffmpeg publishes: the newest keyframe as a JPEG, made again
/// at most every second here (<see cref="ThumbnailServerFixture"/>) rather than every 10 s.
/// </summary>
public sealed class ThumbnailTests(ThumbnailServerFixture server) : IClassFixture<ThumbnailServerFixture>
{
    [Fact]
    public async Task AThumbnailIsAJpegOfTheSourceSizeOrTheAskedWidthAndChangesAsTheStreamDoes()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        string url = $"{server.HttpBase}/{livestream.Id}/thumbnail.jpg";
        Assert.Equal(url, (await tenant.GetLivestreamAsync(livestream.Id)).GetProperty("livestream").GetProperty("thumbnail_url").GetString());
        Assert.Equal(url, Assert.Single((await tenant.GetAsync("/livestreams")).EnsureOk().Data.EnumerateArray()).GetProperty("thumbnail_url").GetString());

        var idle = await server.Http.GetAsync(url);
        await AssertErrorAsync(idle, HttpStatusCode.NotFound, "no live stream with this id");
        Assert.Equal("*", idle.Headers.GetValues("Access-Control-Allow-Origin").Single());

        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60, "320x180"));
        var first = await Eventually.MatchAsync(() => server.Http.GetAsync(url), r => r.StatusCode == HttpStatusCode.OK, "the first picture");
        Assert.Equal("image/jpeg", first.Content.Headers.ContentType!.MediaType);
        Assert.Equal("public, max-age=1", first.Headers.CacheControl!.ToString());
        Assert.Equal("*", first.Headers.GetValues("Access-Control-Allow-Origin").Single());
        byte[] picture = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal((320, 180), JpegSize(picture)); // the source's size: never scaled up to the default width
        Assert.Equal((160, 90), JpegSize(await server.Http.GetByteArrayAsync($"{url}?width=160")));
        Assert.Equal((320, 180), JpegSize(await server.Http.GetByteArrayAsync($"{url}?width=1920")));

        // A keyframe a second: a later one is another picture (testsrc2 moves), with another entity tag.
        var later = await Eventually.MatchAsync(async () => await server.Http.GetAsync(url), r => !Equals(r.Headers.ETag, first.Headers.ETag), "a later keyframe's picture");
        Assert.NotEqual(picture, await later.Content.ReadAsByteArrayAsync());
        Assert.Equal((320, 180), JpegSize(await later.Content.ReadAsByteArrayAsync()));

        foreach (string width in new[] { "abc", "0", "15", "17", "1922", "-2", "", "160&width=320" })
        {
            await AssertErrorAsync(await server.Http.GetAsync($"{url}?width={width}"), HttpStatusCode.BadRequest, "\"width\"");
        }
    }

    [Fact]
    public async Task TheSameKeyframeAskedAgainIsAnsweredFromMemory()
    {
        var livestream = await server.NewLivestreamAsync();
        string url = $"{server.HttpBase}/{livestream.Id}/thumbnail.jpg?width=160";
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.SingleKeyframe(60));
        var first = await Eventually.MatchAsync(() => server.Http.GetAsync(url), r => r.StatusCode == HttpStatusCode.OK, "the first picture");
        var stream = await server.LiveStreamAsync(livestream.Id);
        double decodes = Counter(await server.MetricsAsync(), "stagecast_thumbnail_decodes_total{outcome=\"ok\"}");
        double cached = Counter(await server.MetricsAsync(), "stagecast_thumbnails_total{answer=\"cached\"}");

        var again = await server.Http.GetAsync(url);
        Assert.Equal(1, stream.KeyframeCount); // the same keyframe, asked for again
        Assert.Equal(first.Headers.ETag, again.Headers.ETag);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await again.Content.ReadAsByteArrayAsync());
        string metrics = await server.MetricsAsync();
        Assert.Equal(decodes, Counter(metrics, "stagecast_thumbnail_decodes_total{outcome=\"ok\"}"));
        Assert.Equal(cached + 1, Counter(metrics, "stagecast_thumbnails_total{answer=\"cached\"}"));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await server.Http.SendAsync(conditional)).StatusCode);
    }

    /// <summary>
    /// Issue 51: a new width each time was a decode each time (a picture was kept for 4 widths), 90 % of a core from one
    /// client. Widths are taken up to a few sizes, each kept: a hundred widths of one keyframe cost one decode per size.
    /// </summary>
    [Fact]
    public async Task ANewWidthEachTimeCostsAtMostOneDecodePerSizeAndEachPictureHasItsSizesWidth()
    {
        var livestream = await server.NewLivestreamAsync();
        string url = $"{server.HttpBase}/{livestream.Id}/thumbnail.jpg";
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.SingleKeyframe(60, "1280x720"));
        await Eventually.MatchAsync(() => server.Http.GetAsync(url), r => r.StatusCode == HttpStatusCode.OK, "the first picture");
        var stream = await server.LiveStreamAsync(livestream.Id);
        double decodes = Counter(await server.MetricsAsync(), "stagecast_thumbnail_decodes_total{outcome=\"ok\"}");

        for (int width = 1920; width >= 16; width -= 18)
        {
            var answer = await server.Http.GetAsync($"{url}?width={width}");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            int expected = ThumbnailWidth.Sizes.First(size => size >= width);
            Assert.Equal(Math.Min(expected, 1280), JpegSize(await answer.Content.ReadAsByteArrayAsync()).Width);
        }

        // 160, 320, 480, 960 and 1280 (the source's width, what 1920 is made at) are new; 640 was made first.
        Assert.Equal(1, stream.KeyframeCount);
        Assert.Equal(decodes + 5, Counter(await server.MetricsAsync(), "stagecast_thumbnail_decodes_total{outcome=\"ok\"}"));
    }

    [Fact]
    public async Task AnH265StreamOverSrtHasAPictureAndAStreamWithoutAKeyframeYetHasNone()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var publisher = Ffmpeg.PublishSrt(livestream.SrtUrl!, Ffmpeg.HevcAudioVideo(60));
        var answer = await Eventually.MatchAsync(() => server.Http.GetAsync($"{server.HttpBase}/{livestream.Id}/thumbnail.jpg?width=150"),
            r => r.StatusCode == HttpStatusCode.OK, "a picture of the H.265 stream");
        Assert.Equal((160, 90), JpegSize(await answer.Content.ReadAsByteArrayAsync())); // 320x180 scaled to the next size up

        var audioOnly = await server.NewLivestreamAsync();
        await using var radio = Ffmpeg.Publish(audioOnly.PublishUrl, Ffmpeg.AudioOnly(60));
        await server.WaitForMediaAsync(audioOnly.Id, TimeSpan.FromSeconds(1));
        await AssertErrorAsync(await server.Http.GetAsync($"{server.HttpBase}/{audioOnly.Id}/thumbnail.jpg"), HttpStatusCode.NotFound, "no picture yet");
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        Assert.Equal(status, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal((int)status, body.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains(message, body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static double Counter(string metrics, string series) =>
        metrics.Split('\n').Where(line => line.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture)).SingleOrDefault();

    /// <summary>Width and height from a JPEG's start-of-frame segment (ITU-T T.81 B.2.2), after checking the file's markers.</summary>
    private static (int Width, int Height) JpegSize(byte[] jpeg)
    {
        Assert.True(jpeg is [0xFF, 0xD8, ..] && jpeg[^2..] is [0xFF, 0xD9], "not a JPEG file");
        int at = 2;
        while (at + 4 <= jpeg.Length && jpeg[at] == 0xFF)
        {
            byte marker = jpeg[at + 1];
            int length = (jpeg[at + 2] << 8) | jpeg[at + 3];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return ((jpeg[at + 7] << 8) | jpeg[at + 8], (jpeg[at + 5] << 8) | jpeg[at + 6]);
            }

            at += 2 + length;
        }

        throw new Xunit.Sdk.XunitException("no start-of-frame segment in the JPEG");
    }
}

/// <summary>A server whose pictures are made again from a newer keyframe every second, so a test sees one change soon.</summary>
public sealed class ThumbnailServerFixture() : ServerFixture(["--set", "Stagecast:Thumbnails:RefreshInterval=00:00:01"], null);
