using System.Net;
using System.Net.Sockets;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Tests;

public sealed class UdpBatchTests
{
    [Fact]
    public void PacketsForManyAddressesArriveWholeAndInOrder()
    {
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var receivers = Enumerable.Range(0, 3).Select(_ =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return socket;
        }).ToArray();
        var addresses = receivers.Select(r => r.LocalEndPoint!.Serialize()).ToArray();

        // More than a batch holds, so it also sends by itself when full; sizes from 1 byte to a full slot.
        using var batch = new UdpBatch(sender);
        const int PerReceiver = 50;
        for (int i = 0; i < PerReceiver * receivers.Length; i++)
        {
            int length = 1 + i * 97 % UdpBatch.SlotSize;
            var slot = batch.Next;
            slot[..length].Fill((byte)i);
            batch.Commit(length, addresses[i % receivers.Length]);
        }

        Assert.InRange(batch.Count, 1, UdpBatch.Capacity - 1);
        batch.Flush();
        Assert.Equal(0, batch.Count);

        var buffer = new byte[UdpBatch.SlotSize + 1];
        for (int i = 0; i < PerReceiver * receivers.Length; i++)
        {
            int length = receivers[i % receivers.Length].Receive(buffer);
            Assert.Equal(1 + i * 97 % UdpBatch.SlotSize, length);
            Assert.All(buffer[..length], b => Assert.Equal((byte)i, b));
        }

        Assert.Equal(0, batch.Dropped);
        foreach (var receiver in receivers)
        {
            Assert.Equal(0, receiver.Available);
            receiver.Dispose();
        }
    }

    [Fact]
    public void RunsOfEqualPacketsForOneAddressArriveAsTheDatagramsTheyWere()
    {
        // What a frame's FU-A fragments for one viewer look like: equal sizes, a shorter last one, then the next frame.
        // On Linux they leave as GSO messages the kernel cuts; the receiver must see each packet as it was queued.
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        other.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int[] sizes = [.. Enumerable.Repeat(1228, 10), 700, .. Enumerable.Repeat(1228, 3), 1300, 90, .. Enumerable.Repeat(1228, 70), 5];

        using var batch = new UdpBatch(sender);
        for (int i = 0; i < sizes.Length; i++)
        {
            batch.Next[..sizes[i]].Fill((byte)i);
            batch.Commit(sizes[i], new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)receiver.LocalEndPoint!).Port).Serialize());
            if (i == 20)
            {
                batch.Next[..3].Fill(0xEE);
                batch.Commit(3, other.LocalEndPoint!.Serialize()); // another address between two runs
            }
        }

        batch.Flush();
        var buffer = new byte[UdpBatch.SlotSize + 1];
        for (int i = 0; i < sizes.Length; i++)
        {
            int length = receiver.Receive(buffer);
            Assert.Equal(sizes[i], length);
            Assert.All(buffer[..length], b => Assert.Equal((byte)i, b));
        }

        Assert.Equal(3, other.Receive(buffer));
        Console.WriteLine($"UDP GSO in use: {UdpBatch.Segmentation}");
        Assert.Equal(0, receiver.Available);
        Assert.Equal(0, batch.Dropped);
    }

    [Fact]
    public void AGroReceiverGetsEachGsoMessageWholeAndCutsItIntoTheDatagramsSent()
    {
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var gro = UdpGroReceiver.TryCreate(receiver);
        Assert.True(gro is not null || !OperatingSystem.IsLinux(), "Linux has had UDP_GRO since 5.0");
        if (gro is null)
        {
            return;
        }

        int[] sizes = [.. Enumerable.Repeat(1228, 10), 700, 90, .. Enumerable.Repeat(1228, 30), 5];
        using var batch = new UdpBatch(sender);
        for (int i = 0; i < sizes.Length; i++)
        {
            batch.Next[..sizes[i]].Fill((byte)i);
            batch.Commit(sizes[i], receiver.LocalEndPoint!.Serialize());
        }

        batch.Flush();
        var received = new List<byte[]>();
        int reads = 0;
        while (received.Count < sizes.Length && receiver.Poll(TimeSpan.FromSeconds(5), SelectMode.SelectRead))
        {
            while (gro.TryReceive())
            {
                reads++;
                for (int offset = 0; offset < gro.ReceivedLength; offset += gro.DatagramLength)
                {
                    received.Add(gro.Received[offset..Math.Min(offset + gro.DatagramLength, gro.ReceivedLength)].ToArray());
                }
            }
        }

        Assert.Equal(sizes, received.Select(d => d.Length));
        for (int i = 0; i < sizes.Length; i++)
        {
            Assert.All(received[i], b => Assert.Equal((byte)i, b));
        }

        if (UdpBatch.Segmentation)
        {
            // 10 + 700, 90, 30 + 5: three GSO messages, each read whole.
            Assert.Equal(3, reads);
        }
    }

    [Fact]
    public void APacketLongerThanASlotIsRefused()
    {
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var batch = new UdpBatch(sender);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Commit(UdpBatch.SlotSize + 1, new IPEndPoint(IPAddress.Loopback, 9).Serialize()));
        Assert.Equal(0, batch.Count);
    }
}
