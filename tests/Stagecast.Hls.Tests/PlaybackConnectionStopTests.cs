using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stagecast.Hls.Muxing;
using Stagecast.Hls.Serving;
using Stagecast.Hls.Storage;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Hls.Tests;

/// <summary>A server that stops closes the players' idle connections at once, not after their keep-alive timeout.</summary>
public sealed class PlaybackConnectionStopTests
{
    [Fact]
    public async Task StoppingTheServerClosesAPlayersIdleConnection()
    {
        var registry = new HlsStreamRegistry();
        var options = new HlsOptions();
        var stream = new HlsStream("live1", "ep0", options, TimeProvider.System);
        registry.Set(stream);
        using var muxer = new HlsMuxer(stream, options, TimeProvider.System);
        MediaFrame[] media = [SyntheticMedia.Config(SyntheticMedia.Video720p), SyntheticMedia.Config(SyntheticMedia.Audio48k),
            .. SyntheticMedia.Interleave(SyntheticMedia.Video(1.5, startMs: 0), SyntheticMedia.Audio(1.5, startMs: 0))];
        foreach (var frame in media)
        {
            muxer.Process(frame);
        }

        muxer.PublishIfChanged();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UsePlaybackConnections(TimeSpan.FromMinutes(10), (_, _) => { })));
        builder.Services.AddSingleton(registry);
        await using var app = builder.Build();
        app.UseHlsPlayback();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        using var player = new TcpClient();
        await player.ConnectAsync(address.Host, address.Port);
        var connection = player.GetStream();
        await connection.WriteAsync(Encoding.ASCII.GetBytes("GET /live1/manifest/video.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n"));
        Assert.True(await connection.ReadAsync(new byte[4096]) > 0, "the player's first answer");

        // Kestrel would wait up to the stop's deadline (here far beyond the test's patience) for a connection that
        // does not close; the handler's keep-alive (10 minutes) would not close it either.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var stopping = app.StopAsync(deadline.Token);
        await ClosedAsync(connection); // a TimeoutException after a minute otherwise
        await stopping.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Reads until the server closes the connection: an end of stream, or a reset (an aborted connection is reset when
    /// the kernel still holds bytes for it, which depends on timing).
    /// </summary>
    private static async Task ClosedAsync(NetworkStream connection)
    {
        var drained = new byte[65536];
        try
        {
            while (await connection.ReadAsync(drained).AsTask().WaitAsync(TimeSpan.FromSeconds(60)) > 0)
            {
            }
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
        }
    }
}
