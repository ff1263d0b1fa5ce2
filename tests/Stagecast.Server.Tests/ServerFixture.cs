using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server;
using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Server.Hosting;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>
/// The whole server in-process on free loopback ports with a real SQLite file in a temporary data directory. Each
/// test class gets one (<c>IClassFixture</c>), so classes run side by side; tests create their own tenants (account,
/// app, token) so their data never mixes. With <c>STAGECAST_TEST_DATABASE=postgres</c> every server gets a database of
/// its own on a real PostgreSQL instead (<see cref="PostgresServer"/>): test.sh runs the contract suite
/// (<see cref="ContractSuite"/>) that way after the whole suite on SQLite.
/// </summary>
public class ServerFixture : IAsyncLifetime
{
    private readonly string[] _extraArgs;
    private readonly Action<WebApplicationBuilder>? _configure;

    public ServerFixture()
        : this([], null)
    {
    }

    /// <summary>A server of its own, with more settings or services (a manual clock), for tests the shared one cannot host.</summary>
    protected ServerFixture(string[] extraArgs, Action<WebApplicationBuilder>? configure)
    {
        // A data directory given by the test (a restart, a node of a cluster) is used and kept; otherwise a fresh one.
        int dataDir = Array.IndexOf(extraArgs, "--data-dir");
        _ownsDataDir = dataDir < 0;
        DataDir = _ownsDataDir ? Directory.CreateTempSubdirectory("stagecast-test-").FullName : extraArgs[dataDir + 1];
        _extraArgs = _ownsDataDir ? extraArgs : [.. extraArgs[..dataDir], .. extraArgs[(dataDir + 2)..]];
        _configure = configure;
    }

    /// <summary>Starts a server of its own; dispose it at the end of the test.</summary>
    public static async Task<ServerFixture> StartAsync(string[] extraArgs, Action<WebApplicationBuilder>? configure = null)
    {
        var server = new ServerFixture(extraArgs, configure);
        await server.InitializeAsync();
        return server;
    }

    /// <summary>
    /// Starts a server of its own on a manual clock. The API's rate limit refills on the server's clock, so on a clock
    /// the test holds still, polling the API for a fact (more polls the more loaded the machine) would spend the burst
    /// and be answered 429 from then on: the limit is lifted.
    /// </summary>
    public static Task<ServerFixture> StartAsync(TimeProvider clock, params string[] extraArgs) =>
        StartAsync(OnManualClock(extraArgs), builder => builder.Services.AddSingleton(clock));

    /// <summary>The arguments of a server on a manual clock (see <see cref="StartAsync(TimeProvider, string[])"/>).</summary>
    protected static string[] OnManualClock(string[] extraArgs) => [.. extraArgs, "--set", "Stagecast:Api:RequestsPerSecond=1000000"];

    /// <summary>Shorter than the 30 s default so reconnect tests stay quick.</summary>
    public static readonly TimeSpan ReconnectWindow = TimeSpan.FromSeconds(6);

    private readonly bool _ownsDataDir;

    public string DataDir { get; }

    public WebApplication App { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string HttpBase { get; private set; } = null!;

    /// <summary>Whether this run puts the servers' state in PostgreSQL.</summary>
    public static bool OnPostgres { get; } = Environment.GetEnvironmentVariable("STAGECAST_TEST_DATABASE") == "postgres";

    public async Task InitializeAsync()
    {
        string[] database = OnPostgres && !_extraArgs.Contains("--database-url")
            ? ["--database-url", await (await PostgresServer.GetAsync()).CreateDatabaseAsync()]
            : [];
        App = StagecastApp.Build(
        [
            "--http-port", "0", "--rtmp-port", "0", "--webrtc-port", "0", "--srt-port", "0", "--metrics-bind", "127.0.0.1:0", "--data-dir", DataDir,
            .. (_extraArgs.Contains("--bind") ? Array.Empty<string>() : ["--bind", "127.0.0.1"]), // loopback, unless a test says where
            "--reconnect-window", ReconnectWindow.ToString(), "--set", "Stagecast:Sessions:FlushInterval=00:00:01",
            // Quick retries, so restream tests see reconnects fast. The restream queue keeps its default (about 16 s of
            // the tests' 2 Mbps media): a destination stalled for a second on a loaded CI machine is not a slow one.
            "--set", "Stagecast:Restream:InitialBackoff=00:00:00.5", "--set", "Stagecast:Restream:MaxBackoff=00:00:02",
            // Restream receivers (nginx, ffmpeg) listen on loopback too.
            "--restream-allow-private",
            // Webhook receivers in tests listen on loopback; retries come quickly so tests see them.
            "--webhooks-allow-private", "--set", "Stagecast:Webhooks:InitialBackoff=00:00:00.2", "--set", "Stagecast:Webhooks:MaxBackoff=00:00:01",
            "--set", "Stagecast:Webhooks:Timeout=00:00:03",
            // The test host's pages are not the server's to let go of (every server started would unmap the tests').
            "--set", "Stagecast:GiveBackFilePages=false",
            .. database,
            .. _extraArgs,
        ], _configure);
        await App.StartAsync();
        HttpBase = App.Services.GetRequiredService<PublicUrls>().HttpBase;
        // Over HTTPS (a server given a certificate), the client trusts exactly the certificate this server serves.
        var certificate = App.Services.GetRequiredService<Stagecast.Server.Hosting.Tls.ServerCertificate>();
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.Leaf.GetCertHashString();
        Http = new HttpClient(handler) { BaseAddress = new Uri(HttpBase), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>What Prometheus reads: /metrics on the metrics listener.</summary>
    public async Task<string> MetricsAsync()
    {
        var metrics = App.Services.GetRequiredService<ListeningEndpoints>().MetricsEndPoint!;
        return await Http.GetStringAsync($"http://{metrics}/metrics");
    }

    /// <summary>A new account with one app and one token, and an API client for it.</summary>
    public async Task<StagecastApiClient> NewTenantAsync(string basePath = "/client/v4")
    {
        var accounts = App.Services.GetRequiredService<AccountService>();
        var account = await accounts.CreateAccountAsync(null, "test", CancellationToken.None);
        var app = await App.Services.GetRequiredService<AppService>().CreateAsync(account.Id, null, "test", CancellationToken.None);
        var (_, token) = await accounts.CreateTokenAsync(account.Id, "test", null, CancellationToken.None);
        return new StagecastApiClient(Http, account.Id, app.Id, token, basePath);
    }

    /// <summary>Another app of the tenant's account (created through the API), and an API client for it with the tenant's token.</summary>
    public async Task<StagecastApiClient> AnotherAppAsync(StagecastApiClient tenant)
    {
        var created = (await tenant.PostAsync($"/client/v4/accounts/{tenant.AccountId}/realtime/kit/apps", """{"name":"another"}""")).EnsureOk();
        return new StagecastApiClient(Http, tenant.AccountId, created.Data.GetProperty("id").GetString()!, tenant.Token);
    }

    /// <summary>A livestream of a fresh tenant.</summary>
    public async Task<CreatedLivestream> NewLivestreamAsync() => await (await NewTenantAsync()).CreateLivestreamAsync();

    /// <summary>Waits until every session event so far is in the database.</summary>
    public Task SessionsWrittenAsync() => App.Services.GetRequiredService<LivestreamSessionWriter>().WhenIdleAsync();

    /// <summary>Waits until a playback URL answers 200 (the stream produced its first segment).</summary>
    public Task WaitUntilPlayableAsync(string playbackUrl, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(async () => (await Http.GetAsync(playbackUrl)).IsSuccessStatusCode, $"{playbackUrl} to become playable", timeout);

    /// <summary>The hub's live stream of a livestream, once it exists.</summary>
    public Task<HubStream> LiveStreamAsync(string livestreamId) =>
        Eventually.MatchAsync(() => App.Services.GetRequiredService<StreamHub>().Find(livestreamId), s => s is not null, $"stream {livestreamId} in the hub")!;

    /// <summary>The WHIP session publishing a livestream now.</summary>
    public Task<Stagecast.WebRtc.Whip.WhipSession> WhipSessionAsync(string livestreamId) =>
        Eventually.MatchAsync(() => App.Services.GetRequiredService<Stagecast.WebRtc.Transport.WebRtcTransport>().Sessions
            .OfType<Stagecast.WebRtc.Whip.WhipSession>().FirstOrDefault(s => s.StreamId == livestreamId && !s.IsClosed), s => s is not null, $"a WHIP session of {livestreamId}")!;

    /// <summary>Waits until the livestream has received this much media: "let media flow" as a fact, not a sleep.</summary>
    public async Task<HubStream> WaitForMediaAsync(string livestreamId, TimeSpan media) =>
        (await Eventually.MatchAsync(() => App.Services.GetRequiredService<StreamHub>().Find(livestreamId), s => s?.IngestedDuration >= media,
            $"{media.TotalSeconds} s of media in stream {livestreamId}"))!;

    /// <summary>The media playlist URL a player gets from a playback URL.</summary>
    public async Task<string> MediaPlaylistUrlAsync(string playbackUrl)
    {
        string multivariant = await Http.GetStringAsync(playbackUrl);
        return new Uri(new Uri(playbackUrl), multivariant.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).ToString();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownsDataDir)
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }
}

/// <summary>
/// The shared server with WebRTC listening on every address rather than --bind's loopback: Firefox ESR gathers no
/// loopback candidates (whatever media.peerconnection.ice.loopback says) and pairs none of its own with a loopback
/// one, so it reaches a server on this machine only over the machine's other addresses.
/// </summary>
public sealed class FirefoxServerFixture() : ServerFixture(["--webrtc-bind", "0.0.0.0"], null);

/// <summary>
/// The store contract: API-level test classes that together touch every store operation. test.sh runs them once
/// more with <c>STAGECAST_TEST_DATABASE=postgres</c>, so both stores pass the same tests.
/// </summary>
public static class ContractSuite
{
    public const string Trait = "Category";

    public const string Name = "StoreContract";
}

/// <summary>
/// The long lane: tests <c>./test.sh</c> leaves out and <c>./test.sh --all</c> (what CI runs) runs after the rest. The
/// release build (minutes of Native AOT compiling), a WHIP session's minute on consent, the cluster's node processes by
/// threes (<c>ClusterTests</c>, <c>ClusterSecurityTests</c>), and the meeting stack's browser
/// classes whose server side the in-process tests check too (the router and RealtimeKit's socket media:
/// <see cref="Meetings.MeetingRouterMediaTests"/>, <see cref="RealtimeKit.RealtimeKitSocketMediaTests"/>; the room's
/// stage, waiting room, chat and plugins: <see cref="Meetings.MeetingRoomTests"/>; the sockets:
/// <see cref="RealtimeKit.RealtimeKitSocketTests"/>): RealtimeKit's SDK past one smoke per pinned version
/// (<see cref="RealtimeKit.RealtimeKitHarnessTests"/>) and the UI kit's, stagecast.js and the meeting page in Chromium
/// and Firefox, the composited program in a browser; and the speech tests that also drive browsers or players (captions
/// in the SDK, the UI kit, the meeting page, the watch page, a recording's WebVTT), whose engine and hub the fast lane's
/// own transcription tests cover, and Firefox's WHIP and WHEP: with the UI kit's chat image and hls.js's ABR test, 272 s of the fast lane's 1,900 s of test time
/// (beside the library tests); then Chromium's WHIP publish and WHEP playback and the watch page, 119 s of the 1,499 s
/// left (alone, quiet, 2026-11-29), whose protocols the fast lane's in-process WHIP and WHEP clients cover.
/// </summary>
public static class LongLane
{
    public const string Trait = "Lane";

    public const string Name = "Long";
}

/// <summary>
/// Tests that load the machine for a while (node processes by threes, hostile clients, Caddy and coturn) take turns:
/// one of them at a time, beside the other tests.
/// </summary>
[CollectionDefinition(Name)]
public sealed class HeavyCollection
{
    public const string Name = "heavy";
}

/// <summary>
/// The release build (Native AOT, about three minutes of compiling): a lane of its own, started first
/// (<see cref="LongestFirst"/>), so the suite is not as long as it and the heavy tests end to end.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReleaseCollection
{
    public const string Name = "release";
}

/// <summary>
/// Tests that measure timing to tens of milliseconds, what a browser receives through a shaped link (the server's
/// estimate of it reads delays its own busy threads add), what the process allocates while media flows through the
/// process-wide buffer pool (which any other test's hub empties when its last stream ends), or that need the machine
/// to themselves (four browser pages in one meeting): run one by one after all the others, with nothing beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}

public static class ServerFixtureExtensions
{
    /// <summary>Disposes a server started for one test with <c>await using</c>.</summary>
    public static IAsyncDisposable AsAsyncDisposable(this ServerFixture server) => new Disposer(server);

    /// <summary>The same, handing the server out for use in the <c>await using</c> statement.</summary>
    public static IAsyncDisposable AsAsyncDisposable(this ServerFixture server, out ServerFixture fixture)
    {
        fixture = server;
        return new Disposer(server);
    }

    private sealed class Disposer(ServerFixture server) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => new(server.DisposeAsync());
    }
}
