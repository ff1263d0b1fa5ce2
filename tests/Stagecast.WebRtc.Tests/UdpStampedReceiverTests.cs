using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Tests;

/// <summary>The kernel's receive stamps on the shared UDP socket: how long a packet waited to be read, its sender, the socket's close.</summary>
public sealed class UdpStampedReceiverTests : IDisposable
{
    /// <summary>The two clocks' granularity between them (the stamp in ns, the wall clock's ticks of 100 ns).</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(1);

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _sender = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public UdpStampedReceiverTests()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public void Dispose()
    {
        _socket.Dispose();
        _sender.Dispose();
    }

    [Fact]
    public void APacketReadLateIsKnownToHaveWaitedAndOneTooLongIsDropped()
    {
        var receiver = UdpStampedReceiver.TryCreate(_socket)!;
        long beforeSend = Stopwatch.GetTimestamp();
        _sender.SendTo(new byte[3000], _socket.LocalEndPoint!); // longer than any packet read here
        _sender.SendTo("late"u8, _socket.LocalEndPoint!);
        long sent = Stopwatch.GetTimestamp(); // loopback: queued at the receiver by the time the send returns
        Thread.Sleep(300); // the reader busy elsewhere: both wait in the socket's queue

        var buffer = new byte[2048];
        long readFrom = Stopwatch.GetTimestamp();
        int length = receiver.Receive(buffer, out var from, out var waited);
        var (atLeast, atMost) = (Stopwatch.GetElapsedTime(sent, readFrom), Stopwatch.GetElapsedTime(beforeSend));
        Assert.Equal("late"u8.ToArray(), buffer[..length]);
        Assert.Equal(_sender.LocalEndPoint, from);
        Assert.InRange(waited, TimeSpan.FromMilliseconds(250), UdpStampedReceiver.MaxAge);
        Assert.InRange(waited, atLeast - Slack, atMost + Slack); // the time it spent queued, however loaded the machine

        // One read as it comes waited for less (the time from its send to this read, on a loaded machine perhaps some).
        beforeSend = Stopwatch.GetTimestamp();
        _sender.SendTo("now"u8, _socket.LocalEndPoint!);
        length = receiver.Receive(buffer, out _, out var waitedNow);
        atMost = Stopwatch.GetElapsedTime(beforeSend);
        Assert.Equal("now"u8.ToArray(), buffer[..length]);
        Assert.True(waitedNow < waited, $"{waitedNow} waited, against {waited} for the late one");
        Assert.InRange(waitedNow, TimeSpan.Zero, atMost + Slack);
    }

    [Fact]
    public async Task ASocketThatDoesNotBlockIsWaitedOnToo()
    {
        _socket.Blocking = false; // as .NET leaves a socket once it did anything asynchronous on it
        var receiver = UdpStampedReceiver.TryCreate(_socket)!;
        var reading = Task.Factory.StartNew(() =>
        {
            var buffer = new byte[2048];
            int length = receiver.Receive(buffer, out _, out _);
            return length < 0 ? null : buffer[..length];
        }, TaskCreationOptions.LongRunning);
        await Task.Delay(300);
        Assert.False(reading.IsCompleted);

        _sender.SendTo("later"u8, _socket.LocalEndPoint!);
        Assert.Equal("later"u8.ToArray(), await reading.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ClosingTheSocketEndsAReadThatIsWaiting()
    {
        var receiver = UdpStampedReceiver.TryCreate(_socket)!;
        var reading = Task.Factory.StartNew(() => receiver.Receive(new byte[2048], out _, out _), TaskCreationOptions.LongRunning);
        await Task.Delay(200);
        Assert.False(reading.IsCompleted);

        _socket.Dispose();
        Assert.Equal(-1, await reading.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
