using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Server.Tests.RealtimeKit;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hosting;

/// <summary>
/// The meeting sockets over HTTPS with HTTP/2 on, as Chromium opens them: on an HTTP/2 connection it already has to the
/// host, a WebSocket is an extended CONNECT (RFC 8441), not a GET with <c>Upgrade</c>. The meeting page and a page
/// importing /sdk/stagecast.js from the server's own origin join, and so does RealtimeKit's SDK on an HTTP/2 connection
/// to its socket's name. Each test asserts the socket did come over HTTP/2 (else it would prove nothing).
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class Http2WebSocketTests
{
    [Fact]
    public async Task TheMeetingPageAndTheClientModuleJoinOverHttp2OnTheServersOwnOrigin()
    {
        using var tls = new TlsFiles();
        var sockets = new SocketRequests();
        await using var own = (await ServerFixture.StartAsync(tls.ServerFlags, sockets.Register)).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Over HTTP/2"}""");
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var browser = await Browser.LaunchAsync([.. Browser.WebRtcArgs, $"--ignore-certificate-errors-spki-list={tls.Certificate.SpkiPin}"]);

        var page = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={ada.Token}&name=Ada");
        Assert.Equal("h2", await page.EvaluateAsync<string>("() => performance.getEntriesByType('navigation')[0].nextHopProtocol"));
        await page.ClickAsync("#join");
        await page.WaitForSelectorAsync("#room:not([hidden])", new PageWaitForSelectorOptions { Timeout = 20_000 });

        // The client module, imported by a page of the server's origin, with its default base (that origin).
        bool joined = await page.EvaluateAsync<bool>("""
            async token => {
              const { StagecastClient } = await import('/sdk/stagecast.js');
              const meeting = await StagecastClient.init({ authToken: token });
              await meeting.join();
              return meeting.self.roomJoined;
            }
            """, bob.Token);
        Assert.True(joined);
        await page.WaitForSelectorAsync(".tile .name:has-text('bob')", new PageWaitForSelectorOptions { Timeout = 20_000 });
        Assert.Equal(["HTTP/2", "HTTP/2"], sockets.ProtocolsOf("/realtime/v1"));
    }

    [Fact]
    public async Task RealtimeKitsSocketIsReachedOverHttp2()
    {
        var sockets = new SocketRequests();
        await using var rtk = await RealtimeKitServer.StartAsync(sockets.Register);
        string meeting = await rtk.Api.CreateMeetingAsync();
        var host = await rtk.Api.AddParticipantAsync(meeting, "host", "group_call_host", name: "Hope");
        var page = await rtk.Browser.OpenAsync();

        // A WebSocket rides an HTTP/2 connection Chromium already has with credentials to a name its certificate covers (the
        // SDK's own REST calls, without credentials, are on one of their own): a request of the app's with credentials opens one.
        await page.Page.EvaluateAsync("url => fetch(url, { mode: 'no-cors', credentials: 'include' })", $"https://socket-edge.{rtk.Browser.BaseUri}/healthz");
        await page.InitAsync(host.Token, rtk.Browser.BaseUri, media: false);
        await page.JoinAsync();
        await page.SendTextAsync("over one connection");
        await page.WaitForStateAsync(s => s.Chat.Any(m => m.Message == "over one connection"), "the chat message back");
        Assert.Equal(["HTTP/2"], sockets.ProtocolsOf("/ws"));
    }

    /// <summary>Records the path and protocol of each request, ahead of the server's own middleware.</summary>
    private sealed class SocketRequests : IStartupFilter
    {
        private readonly ConcurrentQueue<(string Path, string Protocol)> _seen = new();

        public void Register(WebApplicationBuilder builder) => builder.Services.AddSingleton<IStartupFilter>(this);

        public string[] ProtocolsOf(string path) => [.. _seen.Where(r => r.Path == path).Select(r => r.Protocol)];

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                _seen.Enqueue((context.Request.Path.Value ?? "", context.Request.Protocol));
                return following(context);
            });
            next(app);
        };
    }
}
