using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Stagecast.Testing;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright, with the hls.js test player page. The page comes from its
/// own loopback web server: cross-origin to the server under test (so CORS is exercised), and inside the loopback
/// address space, which Chromium requires before a page may fetch from 127.0.0.1.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    /// <summary>
    /// Playwright's driver (a Node.js process relaying to every browser), one for the test process: started for each
    /// browser it cost about 0.7 s of a core each time.
    /// </summary>
    private static readonly Lazy<Task<IPlaywright>> Driver = new(Playwright.CreateAsync);

    private readonly IBrowser _browser;
    private readonly WebApplication _pages;
    private readonly string _origin;
    private readonly string _marker;

    private Browser(IBrowser browser, WebApplication pages, string origin, string marker)
    {
        _marker = marker;
        _browser = browser;
        _pages = pages;
        _origin = origin;
    }

    /// <summary>Flags for WebRTC tests: the fake camera and microphone, no permission prompt, loopback candidates allowed.</summary>
    public static readonly string[] WebRtcArgs =
    [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
    ];

    public static async Task<Browser> LaunchAsync(params string[] extraArgs) => await LaunchAsync(await StartPageServerAsync(), extraArgs);

    /// <summary>
    /// Launches Chromium with more flags, its pages coming from <paramref name="pages"/> (disposed with the browser);
    /// inside <paramref name="link"/>'s namespace when one is given.
    /// </summary>
    internal static async Task<Browser> LaunchAsync(WebApplication pages, string[] extraArgs, IEnumerable<KeyValuePair<string, string>>? environment = null,
        ShapedLink? link = null)
    {
        var playwright = await Driver.Value;
        // A flag Chromium ignores, for finding this browser's processes (Kill).
        string marker = $"--stagecast-test-browser={Guid.NewGuid():N}";
        string executable = link?.Executable ?? (File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : "/usr/bin/chromium");
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required", marker, .. extraArgs,
            ],
            Env = environment,
        });
        return new Browser(browser, pages, pages.Urls.First(), marker);
    }

    public Task<IPage> OpenPlayerAsync() => OpenAsync("player.html");

    /// <summary>Kills the browser's processes at once (SIGKILL), as a crash or a pulled plug would: nothing is closed cleanly.</summary>
    public async Task KillAsync()
    {
        var (exitCode, _, error) = await ExternalProcess.RunAsync("pkill", ["-KILL", "-f", "--", _marker], TimeSpan.FromSeconds(10));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"pkill found no browser process ({exitCode}): {error}");
        }
    }

    /// <summary>
    /// Opens one of the test pages in tests/browser (player.html, webrtc.html, meeting.html), or of the page server the
    /// browser was launched with; <paramref name="prepare"/> sees the page before it loads (to listen to its events).
    /// </summary>
    public async Task<IPage> OpenAsync(string pageName, Action<IPage>? prepare = null)
    {
        var page = await _browser.NewPageAsync();
        page.RequestFailed += (_, request) => Console.Error.WriteLine($"browser: request failed {request.Url}: {request.Failure}");
        page.Console += (_, message) => Console.Error.WriteLine($"browser console: {message.Text}");
        page.PageError += (_, error) => Console.Error.WriteLine($"browser uncaught: {error}");
        prepare?.Invoke(page);
        await page.GotoAsync($"{_origin}/{pageName}");
        return page;
    }

    /// <summary>Opens a page Stagecast itself serves (the watch page, the dashboard) in a phone- or desktop-sized window.</summary>
    public async Task<IPage> OpenUrlAsync(string url, int width = 1280, int height = 800)
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        page.Console += (_, message) => Console.Error.WriteLine($"browser console: {message.Text}");
        await page.GotoAsync(url);
        return page;
    }

    /// <summary>Saves a screenshot under artifacts/screenshots (kept by CI; the README's pictures come from here).</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        string directory = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _pages.DisposeAsync();
    }

    /// <summary>The test pages' web server; pages that cannot be driven by Playwright (Firefox) POST what they saw to /report.</summary>
    internal static Task<WebApplication> StartPageServerAsync(System.Collections.Concurrent.ConcurrentQueue<string>? reports = null) =>
        StartPageServerAsync(app =>
        {
            foreach (string page in Directory.GetFiles(Path.Combine(RepositoryRoot(), "tests", "browser"), "*.html"))
            {
                app.MapGet("/" + Path.GetFileName(page), () => Results.File(page, "text/html"));
            }

            app.MapPost("/report", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                reports?.Enqueue(await reader.ReadToEndAsync());
                return Results.NoContent();
            });
            app.MapGet("/hls.min.js", () => Results.File(Path.Combine(RepositoryRoot(), "src", "Stagecast.Server", "Web", "assets", "hls.min.js"), "text/javascript"));
        });

    /// <summary>A page server mapped by <paramref name="map"/>, on loopback or on <paramref name="address"/> (a shaped link's host end).</summary>
    internal static async Task<WebApplication> StartPageServerAsync(Action<WebApplication> map, IPAddress? address = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(address ?? IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/favicon.ico", () => Results.NoContent());
        map(app);
        await app.StartAsync();
        return app;
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Stagecast.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
