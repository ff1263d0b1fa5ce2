using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Hosting;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Security;

/// <summary>
/// Finding: /metrics needed no login on the public port and named every live stream (of every account), and a
/// stream's id is all its playback URL, watch page and WHEP need. Metrics now have a listener of their own.
/// </summary>
public sealed class MetricsListenerTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ThePublicPortDoesNotServeMetricsTheMetricsListenerServesNothingElse()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(30, "320x180"));
        await tenant.WaitForStatusAsync(livestream.Id, "LIVE");

        // The attack: anyone on the public port lists what is on air.
        var publicAnswer = await server.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, publicAnswer.StatusCode);
        string publicBody = await publicAnswer.Content.ReadAsStringAsync();
        Assert.Contains("\"success\":false", publicBody);
        Assert.DoesNotContain(livestream.Id, publicBody);

        // Prometheus, on the metrics listener, sees the stream.
        Assert.Contains($"livestream_id=\"{livestream.Id}\"", await server.MetricsAsync());

        // And the metrics listener serves nothing but /metrics.
        var metrics = server.App.Services.GetRequiredService<ListeningEndpoints>().MetricsEndPoint!;
        Assert.NotEqual(server.App.Services.GetRequiredService<ListeningEndpoints>().HttpEndPoint.Port, metrics.Port);
        foreach (string path in new[] { $"/{livestream.Id}/manifest/video.m3u8", $"{tenant.Base}/livestreams", "/dashboard", "/healthz" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"http://{metrics}{path}")).StatusCode);
        }
    }

    [Fact]
    public async Task OnOneNodeClusterNodesShowsATokenOnlyItsAccountsStreamsAndTheOperatorAll()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(30, "320x180"));
        await tenant.WaitForStatusAsync(livestream.Id, "LIVE");

        // The attack: any account's API token listed every live stream id (the cluster test replays it on two nodes).
        var stranger = await server.NewTenantAsync();
        var answer = await stranger.GetAsync("/cluster/nodes");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.DoesNotContain(livestream.Id, answer.Body.ToString());
        Assert.Contains(livestream.Id, (await tenant.GetAsync("/cluster/nodes")).Body.ToString());

        // The operator, on the metrics listener, sees every stream.
        var metrics = server.App.Services.GetRequiredService<ListeningEndpoints>().MetricsEndPoint!;
        Assert.Contains(livestream.Id, await server.Http.GetStringAsync($"http://{metrics}/cluster/nodes"));
    }

    [Fact]
    public void MetricsListenOnLoopbackByDefaultAndTheSettingIsChecked()
    {
        var defaults = new ServerOptions();
        Assert.True(IPAddress.IsLoopback(defaults.GetMetricsEndPoint()!.Address));
        Assert.Equal(9464, defaults.GetMetricsEndPoint()!.Port);
        Assert.Null(new ServerOptions { MetricsBind = "none" }.GetMetricsEndPoint());
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9100), new ServerOptions { MetricsBind = "[::1]:9100" }.GetMetricsEndPoint());

        foreach (string wrong in new[] { "127.0.0.1", "localhost:9464", "9464", "::1" })
        {
            var error = Assert.Throws<StartupException>(() => ServerConfiguration.ReadServerOptions(
                new Dictionary<string, string?> { ["Stagecast:MetricsBind"] = wrong }));
            Assert.Contains("--metrics-bind", error.Message);
        }
    }
}
