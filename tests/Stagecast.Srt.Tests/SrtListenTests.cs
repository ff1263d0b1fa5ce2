using System.Net;
using System.Net.Sockets;
using Stagecast.Srt.Server;

namespace Stagecast.Srt.Tests;

public class SrtListenTests
{
    [Fact]
    public async Task APortHeldByAnotherProgramStopsTheStart()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int busy = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        var error = await Assert.ThrowsAsync<SrtListenException>(() => SrtServerHarness.StartAsync(o => o.Port = busy));
        Assert.StartsWith($"cannot listen: UDP port {busy} (--srt-port)", error.Message);
    }

    [Fact]
    public async Task SrtTurnedOffListensNowhere()
    {
        await using var srt = await SrtServerHarness.StartAsync(o => o.Enabled = false);
        Assert.Null(srt.Server.LocalEndPoint);
    }
}
