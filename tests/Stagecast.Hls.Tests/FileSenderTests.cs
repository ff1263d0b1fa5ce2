using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Stagecast.Hls.Serving;
using Stagecast.Hls.Storage;

namespace Stagecast.Hls.Tests;

/// <summary>Parts in memory files and <see cref="FileSender"/>'s sends from them, on real loopback sockets.</summary>
public sealed class FileSenderTests
{
    [Fact]
    public void APartGetsItsFileAtTheSecondRequestAndLosesItWithTheLastReference()
    {
        var part = Part(RandomNumberGenerator.GetBytes(10_000));

        Assert.Null(part.FileForSending());
        var file = part.FileForSending();
        Assert.NotNull(file);
        Assert.Same(file, part.FileForSending());
        Assert.Equal(part.Memory.ToArray(), File.ReadAllBytes($"/proc/self/fd/{file.DangerousGetHandle()}"));

        Assert.True(part.TryRetain());
        part.Release();
        Assert.False(file.IsClosed); // a response still holds the part
        part.Release();
        Assert.True(file.IsClosed);
    }

    [Fact]
    public async Task WhatAFullSocketDoesNotTakeIsCountedToTheByteAndSentByCopy()
    {
        byte[] head = "HTTP/1.1 200 OK\r\n\r\n"u8.ToArray();
        var parts = new[] { Part(RandomNumberGenerator.GetBytes(300_000)), Part(RandomNumberGenerator.GetBytes(200_000)) };
        foreach (var part in parts)
        {
            part.FileForSending(); // the first request; the send below is the second
        }

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var player = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await player.ConnectAsync(listener.LocalEndPoint!);
        using var server = await listener.AcceptAsync();
        server.SendBufferSize = 4096;
        server.Blocking = false; // as Kestrel's sockets are

        long sent = FileSender.TrySend(server, head, new MediaBuffers(parts, 0, 1));

        byte[] expected = [.. head, .. parts[0].Memory.ToArray(), .. parts[1].Memory.ToArray()];
        Assert.InRange(sent, head.Length + 1, expected.Length - 1); // the player reads nothing yet: the socket fills
        var sending = new List<ArraySegment<byte>> { head, parts[0].Memory.ToArray(), parts[1].Memory.ToArray() };
        Assert.True(PlaybackConnectionHandler.Skip(sending, sent));
        var rest = server.SendAsync(sending, SocketFlags.None);
        byte[] received = new byte[expected.Length];
        for (int got = 0; got < received.Length;)
        {
            got += await player.ReceiveAsync(received.AsMemory(got), SocketFlags.None);
        }

        await rest;
        Assert.Equal(expected, received);
        Assert.Equal(expected.Length - sent, sending.Sum(s => s.Count));
    }

    private static PartBuffer Part(byte[] bytes)
    {
        var part = PartBuffer.Rent(bytes.Length);
        bytes.CopyTo(part.GetWritableSpan());
        return part;
    }
}
