using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;

namespace Stagecast.Testing;

/// <summary>
/// Debian's Firefox ESR, headless, with fake camera and microphone (preferences in a throwaway profile), opening the
/// WebRTC test page with its task in the query string. Playwright cannot drive a stock Firefox, so the page reports
/// what happened by POSTing JSON to the page server, and the test reads <see cref="Reports"/>.
/// </summary>
public sealed class Firefox : IAsyncDisposable
{
    private const string Preferences = """
        user_pref("media.navigator.streams.fake", true);
        user_pref("media.navigator.permission.disabled", true);
        user_pref("media.peerconnection.ice.loopback", true);
        user_pref("media.peerconnection.ice.obfuscate_host_addresses", false);
        user_pref("browser.shell.checkDefaultBrowser", false);
        user_pref("datareporting.policy.dataSubmissionEnabled", false);
        user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
        user_pref("app.update.enabled", false);
        user_pref("browser.startup.homepage_override.mstone", "ignore");
        """;

    private readonly WebApplication _pages;
    private readonly string _profile;
    private readonly ExternalProcess _process;

    private Firefox(WebApplication pages, string profile, ExternalProcess process, ConcurrentQueue<string> reports)
    {
        _pages = pages;
        _profile = profile;
        _process = process;
        Reports = reports;
    }

    public ConcurrentQueue<string> Reports { get; }

    public static string? Executable => new[] { "/usr/bin/firefox-esr", "/usr/bin/firefox" }.FirstOrDefault(File.Exists);

    /// <summary>Opens a test page (webrtc.html unless said) with <paramref name="query"/> (e.g. <c>whip=URL&amp;key=KEY</c>).</summary>
    public static async Task<Firefox> OpenAsync(string query, string page = "webrtc.html")
    {
        var reports = new ConcurrentQueue<string>();
        var pages = await Browser.StartPageServerAsync(reports);
        string profile = Directory.CreateTempSubdirectory("stagecast-firefox-").FullName;
        await File.WriteAllTextAsync(Path.Combine(profile, "user.js"), Preferences);
        var process = ExternalProcess.Start(Executable ?? throw new InvalidOperationException("firefox-esr is not installed"),
            ["--headless", "--no-remote", "--profile", profile, $"{pages.Urls.First()}/{page}?{query}"],
            new Dictionary<string, string> { ["MOZ_HEADLESS"] = "1" });
        return new Firefox(pages, profile, process, reports);
    }

    /// <summary>Waits for a report whose JSON contains <paramref name="marker"/>.</summary>
    public async Task<string> WaitForReportAsync(string marker, TimeSpan timeout) =>
        (await Eventually.MatchAsync(() => Reports.FirstOrDefault(r => r.Contains(marker, StringComparison.Ordinal)), r => r is not null,
            $"Firefox to report '{marker}'", timeout, _ => $"reports: {string.Join(" | ", Reports)}; stderr: {_process.StandardError}"))!;

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        await _pages.DisposeAsync();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
