using System.Text;

namespace Stagecast.Hls.Tests;

/// <summary>
/// Every test of <see cref="PlaybackConnectionTests"/> again with the listener on the epoll transport's request loops,
/// where the server's plain HTTP listens: players answered on the loop thread, other requests handed to Kestrel off it.
/// </summary>
public sealed class PlaybackConnectionOnEventLoopTests : PlaybackConnectionTests
{
    protected override bool OnEventLoop => true;

    [Fact]
    public async Task KestrelsPipelineRunsOffTheLoop()
    {
        // What Kestrel serves (the API) may block on a database: on the loop thread it would stall every player there.
        // The first request is handed over with its bytes already read, the next ones come after reads that waited.
        using var client = await ConnectAsync();
        var stream = client.GetStream();
        for (int i = 0; i < 3; i++)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(Get("/v2/livestreams")));
            Assert.Equal(418, (await RawResponse.ReadAsync(stream)).Status);
        }

        Assert.Equal(3, PipelineThreads.Count);
        Assert.All(PipelineThreads, name => Assert.DoesNotContain("Stagecast HTTP I/O", name));
    }
}
