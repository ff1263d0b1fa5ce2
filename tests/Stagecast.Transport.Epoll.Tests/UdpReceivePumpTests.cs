using System.Net;
using System.Net.Sockets;

namespace Stagecast.Transport.Epoll.Tests;

public sealed class UdpReceivePumpTests
{
    [Fact]
    public async Task AReceivePumpDrainsTheSocketsThatHoldDataAndStopsWhenOneIsRemoved()
    {
        using var pump = UdpReceivePump.TryCreate(TimeSpan.FromMilliseconds(1));
        Assert.NotNull(pump);

        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var receivers = Enumerable.Range(0, 2).Select(_ =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return socket;
        }).ToArray();
        var received = receivers.Select(_ => System.Threading.Channels.Channel.CreateUnbounded<byte>()).ToArray();
        for (int r = 0; r < receivers.Length; r++)
        {
            var (socket, channel) = (receivers[r], received[r]);
            Assert.True(pump.TryAdd(socket, () =>
            {
                var buffer = new byte[16];
                while (socket.Available > 0)
                {
                    socket.Receive(buffer);
                    channel.Writer.TryWrite(buffer[0]);
                }
            }));
        }

        // Data on either socket is read by the pump's thread, nobody waiting on the socket.
        sender.SendTo([1], receivers[0].LocalEndPoint!);
        sender.SendTo([2], receivers[1].LocalEndPoint!);
        Assert.Equal(1, await received[0].Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, await received[1].Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));

        // Removed, a socket is left alone: what arrives stays queued on it.
        pump.Remove(receivers[0]);
        sender.SendTo([3], receivers[0].LocalEndPoint!);
        sender.SendTo([4], receivers[1].LocalEndPoint!);
        Assert.Equal(4, await received[1].Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(receivers[0].Poll(TimeSpan.FromSeconds(5), SelectMode.SelectRead));
        Assert.False(received[0].Reader.TryRead(out _));
        Array.ForEach(receivers, r => r.Dispose());
    }
}
