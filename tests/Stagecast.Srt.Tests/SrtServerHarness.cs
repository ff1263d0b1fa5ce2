using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stagecast.Srt.Server;
using Stagecast.Streaming;
using Stagecast.Streaming.MpegTs;
using Stagecast.Testing;

namespace Stagecast.Srt.Tests;

/// <summary>A real SRT server (libsrt) on an ephemeral loopback port, over a hub and an in-memory key table.</summary>
public sealed class SrtServerHarness : IAsyncDisposable
{
    private SrtServerHarness(SrtServer server, StreamHub hub, TestPublishAuthorizer keys, CapturedLogs logs, ILoggerFactory loggers)
    {
        Server = server;
        Hub = hub;
        Keys = keys;
        Logs = logs;
        _loggers = loggers;
    }

    private readonly ILoggerFactory _loggers;

    public SrtServer Server { get; }

    public StreamHub Hub { get; }

    public TestPublishAuthorizer Keys { get; }

    public CapturedLogs Logs { get; }

    public int Port => Server.LocalEndPoint!.Port;

    /// <param name="time">The server's clock (its deadlines, its limits on guessing); a fake one moves only when told.</param>
    public static async Task<SrtServerHarness> StartAsync(
        Action<SrtServerOptions>? configure = null, StreamHubOptions? hubOptions = null, IOpusTranscoding? opus = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var options = new SrtServerOptions { Port = 0, Bind = "127.0.0.1" };
        configure?.Invoke(options);
        var logs = new CapturedLogs();
        var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var hub = TestHub.Create(options: hubOptions ?? new StreamHubOptions { ReconnectWindow = TimeSpan.FromSeconds(10) });
        var keys = new TestPublishAuthorizer();
        var server = new SrtServer(hub, keys, new SrtAdmission(Options.Create(options), time), Options.Create(options), time, loggers.CreateLogger<SrtServer>(), opus);
        await server.StartAsync(CancellationToken.None);
        return new SrtServerHarness(server, hub, keys, logs, loggers);
    }

    public string PublishUrl(string key) => $"srt://127.0.0.1:{Port}?streamid=#!::r=live/{key},m=publish";

    public string ReadUrl(string streamId) => $"srt://127.0.0.1:{Port}?streamid=#!::r=live/{streamId},m=request";

    public Task<HubStream> LiveStreamAsync(string streamId, Func<HubStream, bool>? condition = null) =>
        Eventually.MatchAsync(() => Hub.Find(streamId), s => s is not null && (condition?.Invoke(s) ?? true), $"stream {streamId} in the hub")!;

    public async ValueTask DisposeAsync()
    {
        Hub.StopAll("test over");
        await Server.StopAsync(CancellationToken.None);
        _loggers.Dispose();
    }
}
