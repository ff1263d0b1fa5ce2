using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Outputs;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Security;

/// <summary>
/// Finding: restream outputs dialled any address (server-side request forgery and port scans through
/// <c>last_error</c>), and outputs pointed at the server's own ingest multiplied one publish into many live streams.
/// </summary>
public sealed class OutputDestinationTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task PrivateDestinationsAreRefusedWhenSavedUnlessTheOperatorAllowsThem()
    {
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Restream:AllowPrivate=false"])).AsAsyncDisposable(out var strict);
        var tenant = await strict.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        foreach (string url in new[]
        {
            "rtmp://127.0.0.1:1935/live", "rtmp://localhost/live", "rtmp://10.1.2.3/live", "rtmp://169.254.169.254:80/latest",
            "rtmp://[::ffff:192.168.0.1]/live", "rtmp://[64:ff9b::a9fe:a9fe]/live", "rtmps://[2002:c0a8:0001::]:443/live",
        })
        {
            var reply = await tenant.PostAsync($"/livestreams/{livestream.Id}/outputs", JsonSerializer.Serialize(new { url, stream_key = "k" }));
            Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
            Assert.Contains("--restream-allow-private", reply.ErrorMessage);
        }

        Assert.Empty((await tenant.GetAsync($"/livestreams/{livestream.Id}/outputs")).EnsureOk().Data.EnumerateArray());
    }

    [Fact]
    public async Task TheServersOwnListenersAreRefusedEvenWhenPrivateDestinationsAreAllowed()
    {
        // The shared test server allows private destinations (its receivers listen on loopback).
        var endpoints = server.App.Services.GetRequiredService<ListeningEndpoints>();
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        foreach (string url in new[]
        {
            livestream.IngestServer, // what the API hands encoders
            $"rtmp://127.0.0.1:{endpoints.RtmpEndPoint.Port}/live",
            $"rtmp://localhost:{endpoints.RtmpEndPoint.Port}/live",
            $"rtmp://[::1]:{endpoints.RtmpEndPoint.Port}/live",
            $"rtmp://127.0.0.1:{endpoints.HttpEndPoint.Port}/live",
            $"rtmp://127.0.0.1:{endpoints.MetricsEndPoint!.Port}/live",
        })
        {
            var reply = await tenant.PostAsync($"/livestreams/{livestream.Id}/outputs", JsonSerializer.Serialize(new { url, stream_key = livestream.StreamKey }));
            Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
            Assert.Contains("it may not send to itself", reply.ErrorMessage);
        }
    }

    [Fact]
    public async Task ADestinationThatTurnsPrivateIsRefusedAtConnectWithACoarseError()
    {
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Restream:AllowPrivate=false"])).AsAsyncDisposable(out var strict);
        var tenant = await strict.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();

        // A destination that passed the check when saved (its name resolved elsewhere then, or it was saved before the
        // check existed) and now points into the private network, where something listens.
        using var inside = new TcpListener(IPAddress.Loopback, 0);
        inside.Start();
        var services = strict.App.Services;
        var now = DateTimeOffset.UtcNow;
        var output = new LivestreamOutput(Guid.NewGuid().ToString(), livestream.Id, tenant.AppId, $"rtmp://127.0.0.1:{((IPEndPoint)inside.LocalEndpoint).Port}/app",
            services.GetRequiredService<StreamKeyProtector>().Protect("k"), true, now, now);
        await services.GetRequiredService<IOutputStore>().CreateOutputAsync(output, CancellationToken.None);

        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(30, "320x180"));
        var state = await tenant.WaitForAsync($"/livestreams/{livestream.Id}/outputs/{output.Id}",
            r => r.Data.GetProperty("last_error").ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(30));
        Assert.Equal("errored", state.Data.GetProperty("status").GetString());
        Assert.Equal("destination not allowed: the server may not connect there (private, loopback or its own address)",
            state.Data.GetProperty("last_error").GetString());
        Assert.False(inside.Pending()); // nothing ever knocked
    }
}
