using Microsoft.AspNetCore.Builder;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// What a RealtimeKit test runs against: a Stagecast server with HTTPS on a certificate for <c>stagecast.test</c> and
/// <c>--realtimekit-base stagecast.test</c>, a tenant on it, and Chromium that reaches it under that name. Disposed in
/// reverse: the browser, the server, the certificate's files.
/// </summary>
public sealed class RealtimeKitServer : IAsyncDisposable
{
    private readonly TlsFiles _tls;

    private RealtimeKitServer(TlsFiles tls, ServerFixture server, StagecastApiClient api, RealtimeKitBrowser browser)
    {
        _tls = tls;
        Server = server;
        Api = api;
        Browser = browser;
    }

    public ServerFixture Server { get; }

    public StagecastApiClient Api { get; }

    public RealtimeKitBrowser Browser { get; }

    /// <summary>The server's certificate, for clients other than the browser (the JSON channel's).</summary>
    public TestCertificate Certificate => _tls.Certificate;

    public static Task<RealtimeKitServer> StartAsync(params string[] more) => StartAsync(null, more);

    /// <summary>A server with more services (<paramref name="configure"/>) and flags.</summary>
    public static Task<RealtimeKitServer> StartAsync(Action<WebApplicationBuilder>? configure, params string[] more) =>
        StartForDomainAsync(RealtimeKitBrowser.Domain, configure, more);

    /// <summary>A server whose <c>--realtimekit-base</c> and certificate are for <paramref name="domain"/>.</summary>
    public static async Task<RealtimeKitServer> StartForDomainAsync(string domain, Action<WebApplicationBuilder>? configure, params string[] more)
    {
        var tls = new TlsFiles(domain);
        var server = await ServerFixture.StartAsync([.. tls.ServerFlags, "--realtimekit-base", domain, .. more], configure);
        var api = await server.NewTenantAsync();
        var browser = await RealtimeKitBrowser.LaunchAsync(new Uri(server.HttpBase).Port, tls.Certificate, domain);
        return new RealtimeKitServer(tls, server, api, browser);
    }

    /// <summary>
    /// A server listening (HTTPS, WebRTC) on <paramref name="link"/>'s host end, its browser on the host reaching it
    /// there; <see cref="LaunchBehindAsync"/> adds browsers behind shaped links to it.
    /// </summary>
    public static Task<RealtimeKitServer> StartOnLinkAsync(ShapedLink link, params string[] more) => StartOnLinkAsync(link, [], more);

    /// <summary>
    /// A server on <paramref name="link"/>'s host end as <see cref="StartOnLinkAsync(ShapedLink, string[])"/>, its browser's
    /// fake camera sending <paramref name="cameraFps"/> frames a second (Chromium's sends 20 unless told).
    /// </summary>
    public static Task<RealtimeKitServer> StartOnLinkAsync(ShapedLink link, int cameraFps, params string[] more) =>
        StartOnLinkAsync(link, [$"--use-fake-device-for-media-stream=fps={cameraFps}"], more);

    private static async Task<RealtimeKitServer> StartOnLinkAsync(ShapedLink link, string[] browserArgs, string[] more)
    {
        var tls = new TlsFiles(RealtimeKitBrowser.Domain);
        string address = link.HostAddress.ToString();
        var server = await ServerFixture.StartAsync([.. tls.ServerFlags, "--realtimekit-base", RealtimeKitBrowser.Domain, "--bind", address, "--webrtc-bind", address, .. more]);
        var api = await server.NewTenantAsync();
        var browser = await RealtimeKitBrowser.LaunchAsync(new Uri(server.HttpBase).Port, tls.Certificate, RealtimeKitBrowser.Domain, link.HostAddress,
            extraArgs: browserArgs);
        return new RealtimeKitServer(tls, server, api, browser);
    }

    /// <summary>Chromium inside <paramref name="link"/>'s namespace, reaching this server (started on that link) through it.</summary>
    public Task<RealtimeKitBrowser> LaunchBehindAsync(ShapedLink link) =>
        RealtimeKitBrowser.LaunchAsync(new Uri(Server.HttpBase).Port, Certificate, RealtimeKitBrowser.Domain, link.HostAddress, link);

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Server.DisposeAsync();
        _tls.Dispose();
    }
}
