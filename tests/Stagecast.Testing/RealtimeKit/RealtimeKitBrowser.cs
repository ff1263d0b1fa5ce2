using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;

namespace Stagecast.Testing.RealtimeKit;

/// <summary>
/// Debian's Chromium for apps built on Cloudflare RealtimeKit's unmodified SDK and UI kit, pointed at one Stagecast
/// server. The SDK calls <c>https://api.{baseURI}</c> and <c>wss://socket-edge.{baseURI}</c>, so every name under
/// <see cref="Domain"/> resolves to the server's HTTPS port and nothing else resolves (the SDK's telemetry hosts fail
/// at once); the CA of the server's certificate (<see cref="TestCertificate.CreateForDomain"/>) is trusted. The
/// app page (tests/realtimekit/app.html) comes from a loopback page server of its own: another origin than
/// api.<see cref="Domain"/>, so CORS is exercised as for a customer's app.
/// </summary>
public sealed class RealtimeKitBrowser : IAsyncDisposable
{
    public const string Domain = "stagecast.test";

    /// <summary>The SDK versions the page can load (tests/realtimekit/package.json), and the npm package holding each.</summary>
    public static readonly IReadOnlyDictionary<string, string> SdkVersions = new Dictionary<string, string>
    {
        ["2.0.2"] = "@cloudflare/realtimekit",
        ["1.5.1"] = "realtimekit-1.5",
    };

    private const string UiKitPackage = "@cloudflare/realtimekit-ui";

    private readonly string _home;

    private RealtimeKitBrowser(Browser browser, string domain, int httpsPort, string home)
    {
        Browser = browser;
        BaseUri = $"{domain}:{httpsPort}";
        _home = home;
    }

    /// <summary>The browser underneath (to kill it, or open other pages).</summary>
    public Browser Browser { get; }

    /// <summary>What the app gives the SDK's <c>init</c> as <c>baseURI</c>: the domain with the server's HTTPS port.</summary>
    public string BaseUri { get; }

    /// <summary>The base of the SDK's REST calls, as the browser reaches it.</summary>
    public string ApiBase => $"https://api.{BaseUri}";

    /// <summary>
    /// Chromium for a server listening for HTTPS on <paramref name="httpsPort"/> with <paramref name="certificate"/>,
    /// whose CA it trusts as a real one (in the NSS database of a home directory of its own): a certificate taken
    /// through an error-ignoring flag would keep Chromium from sharing an HTTP/2 connection between the names it covers,
    /// which browsers do with a real certificate (the SDK's socket then rides the connection of its REST calls).
    /// The names under <paramref name="domain"/> reach the server through a resolver rule, except under
    /// <c>localhost</c>, whose names Chromium resolves to the loopback address itself (and the <c>baseURI</c> carries
    /// the server's port, as on a user's machine).
    /// </summary>
    /// <param name="server">
    /// Where the server listens: loopback, or a shaped link's host end (<paramref name="link"/>: the browser then runs in
    /// the link's namespace; without one, on the host, reaching the server at that address too).
    /// </param>
    /// <param name="extraArgs">More Chromium flags (a later flag wins over one of <see cref="Browser.WebRtcArgs"/>).</param>
    public static async Task<RealtimeKitBrowser> LaunchAsync(int httpsPort, TestCertificate certificate, string domain = Domain, IPAddress? server = null,
        ShapedLink? link = null, string[]? extraArgs = null)
    {
        string address = (server ?? IPAddress.Loopback).ToString();
        var pages = await Browser.StartPageServerAsync(MapPages, server);
        string home = await TrustingHomeAsync(certificate);
        string resolver = domain == "localhost"
            ? "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, EXCLUDE 127.0.0.1"
            : $"MAP *.{domain} {address}:{httpsPort}, MAP {domain} {address}:{httpsPort}, MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE {address}";
        var browser = await Browser.LaunchAsync(pages,
        [
            .. Browser.WebRtcArgs,
            $"--host-resolver-rules={resolver}",
            // Host candidates as addresses, not mDNS names the server cannot resolve.
            "--disable-features=WebRtcHideLocalIpsWithMdns",
            // The app page's origin is secure on loopback only (the camera and the SDK's crypto need one).
            .. (server is null ? Array.Empty<string>() : [$"--unsafely-treat-insecure-origin-as-secure={pages.Urls.First()}"]),
            .. extraArgs ?? [],
        ], [new("HOME", home)], link);
        return new RealtimeKitBrowser(browser, domain, httpsPort, home);
    }

    /// <summary>A home directory whose NSS database (~/.pki/nssdb, where Chromium on Linux looks) trusts the certificate's CA.</summary>
    private static async Task<string> TrustingHomeAsync(TestCertificate certificate)
    {
        string authority = certificate.AuthorityFile ?? throw new ArgumentException("the certificate has no CA to trust", nameof(certificate));
        string home = Directory.CreateTempSubdirectory("stagecast-browser-home-").FullName;
        string database = "sql:" + Directory.CreateDirectory(Path.Combine(home, ".pki", "nssdb")).FullName;
        foreach (string[] arguments in new[]
        {
            new[] { "-N", "-d", database, "--empty-password" },
            ["-A", "-d", database, "-n", "stagecast-test-ca", "-t", "C,,", "-i", authority],
        })
        {
            var (exitCode, _, error) = await ExternalProcess.RunAsync("certutil", arguments, TimeSpan.FromSeconds(30));
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"certutil {arguments[0]} failed ({exitCode}): {error}");
            }
        }

        return home;
    }

    /// <summary>
    /// Opens the app page with SDK <paramref name="sdkVersion"/> (one of <see cref="SdkVersions"/>), not yet initialised;
    /// with <paramref name="relayOnly"/>, its connections may use relayed candidates only (through TURN); with
    /// <paramref name="tone"/>, its microphone plays a steady tone (the fake device's beeps are too short to speak).
    /// </summary>
    public Task<RealtimeKitPage> OpenAsync(string sdkVersion = "2.0.2", bool relayOnly = false, bool tone = false) =>
        SdkVersions.ContainsKey(sdkVersion)
            ? RealtimeKitPage.OpenAsync(Browser, sdkVersion, relayOnly, tone)
            : throw new ArgumentException($"SDK {sdkVersion} is not installed; there are {string.Join(", ", SdkVersions.Keys)}", nameof(sdkVersion));

    /// <summary>An app page whose client is initialised with <paramref name="authToken"/> and joined (with camera and microphone when <paramref name="media"/>).</summary>
    public async Task<RealtimeKitPage> JoinAsync(string authToken, bool media = true, string sdkVersion = "2.0.2", bool relayOnly = false, bool tone = false)
    {
        var page = await OpenAsync(sdkVersion, relayOnly, tone);
        await page.InitAsync(authToken, BaseUri, media);
        await page.JoinAsync();
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    /// <summary>
    /// The app page, each SDK's browser.js (/sdk/{version}/browser.js), the UI kit's dist directory (/ui/) as ES modules,
    /// Stagecast's client module's page (client.html) and its meeting page (meeting.html), for participants on Stagecast's own clients.
    /// </summary>
    private static void MapPages(WebApplication app)
    {
        string directory = Path.Combine(Browser.RepositoryRoot(), "tests", "realtimekit");
        app.MapGet("/app.html", () => Results.File(Path.Combine(directory, "app.html"), "text/html"));
        // Stagecast's own client module's test page, and its meeting page (JSON channel and meeting WHIP/WHEP), for a
        // participant on Stagecast's clients in the same meeting.
        foreach (string page in new[] { "client.html", "meeting.html" })
        {
            app.MapGet($"/{page}", () => Results.File(Path.Combine(Browser.RepositoryRoot(), "tests", "browser", page), "text/html"));
        }
        foreach (var (version, package) in SdkVersions)
        {
            string bundle = Path.Combine(Installed(directory, package, version), "dist", "browser.js");
            app.MapGet($"/sdk/{version}/browser.js", () => Results.File(bundle, "text/javascript"));
        }

        string uiKit = Path.Combine(Installed(directory, UiKitPackage, SdkVersions.Keys.First()), "dist");
        app.UseStaticFiles(new StaticFileOptions { RequestPath = "/ui", FileProvider = new PhysicalFileProvider(uiKit) });
    }

    /// <summary>The directory of an npm package, checked to be the pinned version.</summary>
    private static string Installed(string directory, string package, string version)
    {
        string root = Path.Combine(directory, "node_modules", package);
        string manifest = Path.Combine(root, "package.json");
        if (!File.Exists(manifest))
        {
            throw new InvalidOperationException($"{package} is not installed: run npm ci --prefix tests/realtimekit");
        }

        using var json = JsonDocument.Parse(File.ReadAllText(manifest));
        string? installed = json.RootElement.GetProperty("version").GetString();
        return installed == version ? root : throw new InvalidOperationException($"{package} is {installed}, not the pinned {version}: run npm ci --prefix tests/realtimekit");
    }
}
