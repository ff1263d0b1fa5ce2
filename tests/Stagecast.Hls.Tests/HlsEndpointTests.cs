using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stagecast.Hls.Muxing;
using Stagecast.Hls.Serving;
using Stagecast.Hls.Storage;
using Stagecast.Streaming;
using Stagecast.Testing;
using Stagecast.Transport.Epoll;

namespace Stagecast.Hls.Tests;

/// <summary>The playback middleware alone, inside ASP.NET's pipeline (a connection without the handler, or what it hands over).</summary>
public sealed class HlsEndpointTests : HlsPlaybackTests
{
    protected override bool OnConnections => false;
}

/// <summary>
/// The playback endpoints on a real Kestrel, fed by a muxer with synthetic frames, answered by one of the two front
/// ends: every test here holds for both.
/// </summary>
public abstract class HlsPlaybackTests : IAsyncLifetime
{
    private readonly HlsStreamRegistry _registry = new();
    private readonly HlsOptions _options = new();
    private WebApplication? _app;
    private HlsStream _stream = null!;
    private HlsMuxer _muxer = null!;
    private long _nextVideoMs;

    /// <summary>Whether the listener has <see cref="PlaybackConnections"/> in front of Kestrel's HTTP.</summary>
    protected abstract bool OnConnections { get; }

    protected HttpClient Http { get; private set; } = null!;

    protected Uri Address { get; private set; } = null!;

    protected HlsStream Stream => _stream;

    protected HlsStreamRegistry Registry => _registry;

    /// <summary>Answers given on the connection, by route and status.</summary>
    protected System.Collections.Concurrent.ConcurrentQueue<(string Route, int Status)> Answered { get; } = new();

    protected virtual TimeSpan KeepAliveTimeout => TimeSpan.FromMinutes(2);

    /// <summary>Kestrel's deadline for a request head.</summary>
    protected virtual TimeSpan RequestHeadersTimeout => TimeSpan.FromSeconds(10);

    /// <summary>Whether the listener is on the epoll transport's request loops (as the server's plain HTTP is) rather than Kestrel's sockets.</summary>
    protected virtual bool OnEventLoop => false;

    /// <summary>The threads the rest of the pipeline (the 418 below) ran on, by name.</summary>
    protected System.Collections.Concurrent.ConcurrentQueue<string> PipelineThreads { get; } = new();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Limits.RequestHeadersTimeout = RequestHeadersTimeout;
            k.Listen(OnEventLoop ? new EventLoopEndPoint(IPAddress.Loopback, 0, EventLoopTraffic.Requests) : new IPEndPoint(IPAddress.Loopback, 0), listen =>
            {
                if (OnConnections)
                {
                    listen.UsePlaybackConnections(KeepAliveTimeout, (route, status) => Answered.Enqueue((route.RoutePattern.RawText!, status)));
                }
            });
        });
        builder.Services.AddSingleton(_registry);
        if (OnEventLoop)
        {
            builder.Services.AddEventLoopTransport();
        }

        _app = builder.Build();
        _app.UseHlsPlayback();
        _app.Run(context =>
        {
            PipelineThreads.Enqueue(Thread.CurrentThread.Name ?? (Thread.CurrentThread.IsThreadPoolThread ? "pool" : ""));
            context.Response.StatusCode = StatusCodes.Status418ImATeapot; // what the rest of the server's pipeline would answer
            return Task.CompletedTask;
        });
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address);
        // Idle connections are dropped before a short keep-alive timeout of the server could close them under a request.
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMilliseconds(500) }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(20) };

        _stream = new HlsStream("live1", "ep0", _options, TimeProvider.System);
        _registry.Set(_stream);
        _muxer = new HlsMuxer(_stream, _options, TimeProvider.System);
        Feed(SyntheticMedia.Config(SyntheticMedia.Video720p), SyntheticMedia.Config(SyntheticMedia.Audio48k));
        FeedSeconds(2.5);
    }

    [Fact]
    public async Task MultivariantPointsEachPlayerToTheMediaPlaylist()
    {
        var response = await Http.GetAsync("/live1/manifest/video.m3u8");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.apple.mpegurl", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.True(response.Headers.CacheControl!.NoCache);
        string body = await response.Content.ReadAsStringAsync();
        Assert.Contains("CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720", body);
        string first = body.Split('\n')[^2];
        string second = (await Http.GetStringAsync("/live1/manifest/video.m3u8")).Split('\n')[^2];
        Assert.Matches("^ep0/[A-Za-z0-9_-]+/stream.m3u8$", first);
        Assert.NotEqual(first, second); // a distinct id per player
    }

    [Fact]
    public async Task AStreamCarryingTimedTextListsSubtitlesForEveryVariantLinedUpWithItsSegments()
    {
        Assert.DoesNotContain("SUBTITLES", await Http.GetStringAsync("/live1/manifest/video.m3u8"));
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/live1/manifest/ep0/p1/subs.m3u8")).StatusCode);

        _stream.Carry(new TimedTextTrack("English", "en"));
        FeedSeconds(2);
        var lines = (await Http.GetStringAsync("/live1/manifest/video.m3u8")).Split('\n');
        Assert.Matches("^#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,URI=\"ep0/[A-Za-z0-9_-]+/subs.m3u8\"$", lines[3]);
        Assert.StartsWith("#EXT-X-STREAM-INF:", lines[4]);
        Assert.EndsWith(",SUBTITLES=\"subs\"", lines[4]);

        // The subtitles playlist lists a WebVTT segment beside every part of the video, under the part's number.
        var media = ParsedPlaylist.Parse(await Http.GetStringAsync("/live1/manifest/ep0/p1/stream.m3u8"));
        var subtitles = await Http.GetAsync("/live1/manifest/ep0/p1/subs.m3u8");
        Assert.Equal("application/vnd.apple.mpegurl", subtitles.Content.Headers.ContentType!.MediaType);
        var listed = ParsedPlaylist.Parse(await subtitles.Content.ReadAsStringAsync());
        Assert.Equal(1, listed.TargetDuration);
        Assert.Empty(listed.Parts);
        Assert.Subset(media.Parts.Select(p => p.Uri.Replace("part", "subs", StringComparison.Ordinal).Replace(".m4s", ".vtt", StringComparison.Ordinal)).ToHashSet(), listed.Segments.Select(s => s.Uri!).ToHashSet());
        Assert.Equal(media.Parts.Last().Uri.Replace("part", "subs", StringComparison.Ordinal).Replace(".m4s", ".vtt", StringComparison.Ordinal), listed.Segments[^1].Uri);

        var vtt = await Http.GetAsync($"/live1/manifest/ep0/p1/{listed.Segments[^1].Uri}");
        Assert.Equal("text/vtt", vtt.Content.Headers.ContentType!.MediaType);
        Assert.True(vtt.Headers.CacheControl!.Public); // a part's captions never change
        Assert.StartsWith("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n", await vtt.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/live1/manifest/ep0/p1/subs{_stream.Snapshot!.LastPartNumber + 1}.vtt")).StatusCode);
    }

    [Fact]
    public async Task OnlyBlockingPlaylistAnswersAreCacheableAndForATargetDuration()
    {
        var live = await Http.GetAsync("/live1/manifest/ep0/p1/stream.m3u8");
        Assert.True(live.Headers.CacheControl!.NoStore); // changes with every part: an edge must not keep it
        var parsed = ParsedPlaylist.Parse(await live.Content.ReadAsStringAsync());
        long msn = parsed.MediaSequence + parsed.Segments.Count - 1;
        var blocking = await Http.GetAsync($"/live1/manifest/ep0/p1/stream.m3u8?_HLS_msn={msn}&_HLS_part=0");
        Assert.True(blocking.Headers.CacheControl!.Public);
        Assert.Equal(TimeSpan.FromSeconds(_options.TargetDurationSeconds), blocking.Headers.CacheControl.MaxAge);
        var error = await Http.GetAsync("/live1/manifest/ep0/p1/part999999.m4s");
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.True(error.Headers.CacheControl!.NoStore); // a part asked for too early must not stay missing in a cache
    }

    [Fact]
    public async Task FilesAreServedWithTheirTypesAndCaching()
    {
        var playlist = ParsedPlaylist.Parse(await Http.GetStringAsync("/live1/manifest/ep0/p1/stream.m3u8"));
        var part = await Http.GetAsync($"/live1/manifest/ep0/p1/{playlist.Parts.First().Uri}");
        Assert.Equal("video/mp4", part.Content.Headers.ContentType!.MediaType);
        Assert.True(part.Headers.CacheControl!.Public);
        Assert.Equal(["moof", "mdat"], Box.Parse(await part.Content.ReadAsByteArrayAsync()).Select(b => b.Type));

        var segment = await Http.GetByteArrayAsync($"/live1/manifest/ep0/p1/{playlist.Segments[0].Uri}");
        Assert.Equal(playlist.Segments[0].Parts.Count * 2, Box.Parse(segment).Count);

        var init = Box.Parse(await Http.GetByteArrayAsync("/live1/manifest/ep0/p1/init0.mp4"));
        Assert.Equal(["ftyp", "moov"], init.Select(b => b.Type));
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/live1/manifest/ep0/stream.m3u8")).StatusCode); // no player id
    }

    [Fact]
    public async Task BlockingReloadReturnsTheNextPartAsSoonAsItExists()
    {
        var playlist = ParsedPlaylist.Parse(await Http.GetStringAsync("/live1/manifest/ep0/p1/stream.m3u8"));
        var open = playlist.Segments[^1];
        var request = Http.GetStringAsync($"/live1/manifest/ep0/p1/stream.m3u8?_HLS_msn={open.Msn}&_HLS_part={open.Parts.Count}");
        await Eventually.TrueAsync(() => _stream.BlockedRequests == 1, "the reload to block");
        Assert.False(request.IsCompleted);

        FeedSeconds(0.4);
        var next = ParsedPlaylist.Parse(await request.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(playlist.PreloadHint, next.Parts.Last(p => p.Uri == playlist.PreloadHint).Uri);
    }

    [Fact]
    public async Task PreloadHintedPartIsHeldUntilWritten()
    {
        var playlist = ParsedPlaylist.Parse(await Http.GetStringAsync("/live1/manifest/ep0/p1/stream.m3u8"));
        var request = Http.GetAsync($"/live1/manifest/ep0/p1/{playlist.PreloadHint}");
        await Eventually.TrueAsync(() => _stream.BlockedRequests == 1, "the part request to block");
        Assert.False(request.IsCompleted);
        FeedSeconds(0.4);
        var response = await request.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("?_HLS_msn=1000", HttpStatusCode.BadRequest)]
    [InlineData("?_HLS_part=1", HttpStatusCode.BadRequest)]
    [InlineData("?_HLS_msn=abc", HttpStatusCode.BadRequest)]
    [InlineData("?_HLS_msn=-1", HttpStatusCode.BadRequest)]
    public async Task BadBlockingRequests(string query, HttpStatusCode status)
    {
        var response = await Http.GetAsync($"/live1/manifest/ep0/p1/stream.m3u8{query}");
        Assert.Equal(status, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await response.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("/nope/manifest/video.m3u8")]
    [InlineData("/live1/manifest/other-epoch/p1/stream.m3u8")]
    [InlineData("/live1/manifest/ep0/p1/part999999.m4s")]
    [InlineData("/live1/manifest/ep0/p1/seg999.m4s")]
    [InlineData("/live1/manifest/ep0/p1/init7.mp4")]
    [InlineData("/live1/manifest/ep0/p1/passwd")]
    [InlineData("/live1/manifest/ep0/bad!id/stream.m3u8")]
    public async Task UnknownThingsAre404(string path) =>
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(path)).StatusCode);

    [Theory]
    [InlineData("/live1/manifest")]
    [InlineData("/live1/manifest/")]
    [InlineData("/live1/manifest/other.m3u8")]
    [InlineData("/live1/manifest/ep0/p1/x/stream.m3u8")]
    [InlineData("/live1/manifest//stream.m3u8")]
    [InlineData("/live1/other/ep0/stream.m3u8")]
    [InlineData("/v2/livestreams")]
    public async Task PathsOfAnotherShapeGoOnToTheRestOfTheServer(string path) =>
        Assert.Equal((HttpStatusCode)StatusCodes.Status418ImATeapot, (await Http.GetAsync(path)).StatusCode);

    [Fact]
    public async Task HeadAnswersLikeGetWithoutTheBodyAndOtherMethodsAre405()
    {
        var playlist = ParsedPlaylist.Parse(await Http.GetStringAsync("/live1/manifest/ep0/p1/stream.m3u8"));
        string part = $"/live1/manifest/ep0/p1/{playlist.Parts.First().Uri}";
        byte[] body = await Http.GetByteArrayAsync(part);
        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, part));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(body.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var post = await Http.PostAsync(part, new ByteArrayContent([1]));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(["GET", "HEAD"], post.Content.Headers.Allow.Order());
    }

    public async Task DisposeAsync()
    {
        _muxer.Dispose();
        Http.Dispose();
        await _app!.DisposeAsync();
        _stream.Dispose();
    }

    protected void FeedSeconds(double seconds)
    {
        long start = _nextVideoMs;
        Feed(SyntheticMedia.Interleave(SyntheticMedia.Video(seconds, startMs: start), SyntheticMedia.Audio(seconds, startMs: start)).ToArray());
        _nextVideoMs = start + (long)Math.Round(seconds * 30) * 1000 / 30;
    }

    private void Feed(params MediaFrame[] frames)
    {
        foreach (var frame in frames)
        {
            _muxer.Process(frame);
        }

        _muxer.PublishIfChanged();
    }
}
