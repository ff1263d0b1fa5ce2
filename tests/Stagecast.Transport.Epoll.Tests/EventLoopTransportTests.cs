using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.Testing;
using Stagecast.Transport.Epoll;

namespace Stagecast.Transport.Epoll.Tests;

/// <summary>The epoll transport with real loopback sockets: data integrity both ways, back-pressure, closing.</summary>
public sealed class EventLoopTransportTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private EventLoopTransportFactory _factory = Factory(new EventLoopTransportOptions());
    private readonly List<IAsyncDisposable> _disposables = [];
    private IConnectionListener _listener = null!;

    [Fact]
    public void BindsOnlyEventLoopEndPointsOnLinux()
    {
        Assert.Equal(OperatingSystem.IsLinux(), _factory.CanBind(new EventLoopEndPoint(IPAddress.Loopback, 0)));
        Assert.False(_factory.CanBind(new IPEndPoint(IPAddress.Loopback, 0)));
    }

    [Fact]
    public async Task EchoesMegabytesIntactInBothDirections()
    {
        var (client, server) = await ConnectAsync();
        var echo = EchoAsync(server);
        byte[] sent = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        var stream = client.GetStream();
        var writing = Task.Run(async () =>
        {
            for (int offset = 0; offset < sent.Length; offset += 10_000)
            {
                await stream.WriteAsync(sent.AsMemory(offset, Math.Min(10_000, sent.Length - offset)));
            }

            client.Client.Shutdown(SocketShutdown.Send);
        });

        byte[] received = await ReadToEndAsync(stream);
        await writing.WaitAsync(Timeout);
        await echo.WaitAsync(Timeout);
        Assert.Equal(sent.Length, received.Length);
        Assert.True(sent.AsSpan().SequenceEqual(received));
    }

    [Fact]
    public async Task AnApplicationThatStopsReadingPausesTheSocketAndLosesNothing()
    {
        var (client, server) = await ConnectAsync();
        byte[] sent = RandomNumberGenerator.GetBytes(16 * 1024 * 1024);
        var writing = Task.Run(async () =>
        {
            await client.GetStream().WriteAsync(sent);
            client.Client.Shutdown(SocketShutdown.Send);
        });

        // Far more than the input pipe and both socket buffers hold: the writer must be held back, not dropped. Time is
        // the test here: a transport without backpressure would take the 16 MiB in far less than this.
        await Task.Delay(500);
        Assert.False(writing.IsCompleted);
        using var received = new MemoryStream();
        while (true)
        {
            var result = await server.Transport.Input.ReadAsync().AsTask().WaitAsync(Timeout);
            foreach (var segment in result.Buffer)
            {
                received.Write(segment.Span);
            }

            server.Transport.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await writing.WaitAsync(Timeout);
        Assert.True(sent.AsSpan().SequenceEqual(received.ToArray()));
    }

    [Fact]
    public async Task OutputToAPeerThatReadsLateWaitsForTheSocketAndArrivesIntact()
    {
        var (client, server) = await ConnectAsync();
        byte[] sent = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var writing = Task.Run(async () =>
        {
            for (int offset = 0; offset < sent.Length; offset += 64 * 1024)
            {
                await server.Transport.Output.WriteAsync(sent.AsMemory(offset, 64 * 1024));
            }

            await server.Transport.Output.CompleteAsync();
            await server.DisposeAsync();
        });

        await Task.Delay(500); // time is the test: unheld, 8 MiB to a loopback socket would be written in far less
        Assert.False(writing.IsCompleted);
        byte[] received = await ReadToEndAsync(client.GetStream());
        await writing.WaitAsync(Timeout);
        Assert.True(sent.AsSpan().SequenceEqual(received));
    }

    [Fact]
    public async Task APeerThatClosesEndsTheInputAndFiresConnectionClosed()
    {
        var (client, server) = await ConnectAsync();
        var closed = new TaskCompletionSource();
        server.ConnectionClosed.Register(() => closed.TrySetResult());
        await client.GetStream().WriteAsync("bye"u8.ToArray());
        client.Dispose();

        var result = await server.Transport.Input.ReadAsync().AsTask().WaitAsync(Timeout);
        while (!result.IsCompleted)
        {
            server.Transport.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await server.Transport.Input.ReadAsync().AsTask().WaitAsync(Timeout);
        }

        Assert.Equal("bye"u8.ToArray(), result.Buffer.ToArray());
        await closed.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task AbortClosesTheSocket()
    {
        var (client, server) = await ConnectAsync();
        server.Abort(new ConnectionAbortedException("test"));

        var buffer = new byte[16];
        int read;
        try
        {
            read = await client.GetStream().ReadAsync(buffer).AsTask().WaitAsync(Timeout);
        }
        catch (IOException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
        await Assert.ThrowsAsync<ConnectionAbortedException>(async () => await server.Transport.Input.ReadAsync().AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task ABusyLoopGathersWhatArrivesWithinThePacingIntervalIntoOneRead()
    {
        var (client, server) = await ConnectPacedAsync(TimeSpan.FromSeconds(1), paceFromConnections: 1);
        var stream = client.GetStream();

        // The loop has just read "a" and paces for a second: three writes 20 ms apart arrive within it and reach the
        // waiting reader together, where a loop reading on every edge hands "b" over alone. Time is the test here.
        var next = server.Transport.Input.ReadAsync().AsTask();
        foreach (byte letter in "bcd"u8.ToArray())
        {
            await stream.WriteAsync(new[] { letter });
            await Task.Delay(20);
        }

        Assert.Equal("bcd"u8.ToArray(), (await next.WaitAsync(Timeout)).Buffer.ToArray());
    }

    [Fact]
    public async Task ALoopWithFewerConnectionsThanThePacingThresholdReadsOnEveryEdge()
    {
        // Paced, the second read would come a minute after the first; the test waits half a minute for it.
        var (client, server) = await ConnectPacedAsync(TimeSpan.FromMinutes(1), paceFromConnections: 2);
        await client.GetStream().WriteAsync("b"u8.ToArray());
        Assert.Equal("b"u8.ToArray(), (await server.Transport.Input.ReadAsync().AsTask().WaitAsync(Timeout)).Buffer.ToArray());
    }

    [Fact]
    public async Task ALoopIsFilledBeforeTheNextGetsConnections()
    {
        _factory.Dispose();
        _factory = Factory(new EventLoopTransportOptions { Loops = 2, FillLoopsTo = 2 });
        await BindAsync();
        var connections = new List<(TcpClient Client, ConnectionContext Server)>();
        async Task<string> ConnectOneAsync()
        {
            var connection = await AcceptAsync();
            connections.Add(connection);
            return await LoopThreadAsync(connection.Client, connection.Server);
        }

        string[] firstFour = [await ConnectOneAsync(), await ConnectOneAsync(), await ConnectOneAsync(), await ConnectOneAsync()];
        Assert.Equal(["Stagecast I/O 0", "Stagecast I/O 0", "Stagecast I/O 1", "Stagecast I/O 1"], firstFour);

        // A closed connection makes room on its loop; once every loop is full, the least loaded takes the next.
        await connections[0].Server.DisposeAsync();
        string[] next = [await ConnectOneAsync(), await ConnectOneAsync(), await ConnectOneAsync()];
        Assert.Equal(["Stagecast I/O 0", "Stagecast I/O 0", "Stagecast I/O 1"], next);
    }

    [Fact]
    public async Task RequestsAreReadOnEveryEdgeWhateverThePacing()
    {
        // Paced as ingest's loops would be, the second read would come a minute after the first; the test waits half a minute.
        _factory.Dispose();
        _factory = Factory(new EventLoopTransportOptions { ReadPacing = TimeSpan.FromMinutes(1), ReadPacingFromConnections = 1 });
        await BindAsync(EventLoopTraffic.Requests);
        var (client, server) = await AcceptAsync();
        foreach (byte[] bytes in new[] { "a"u8.ToArray(), "b"u8.ToArray() })
        {
            await client.GetStream().WriteAsync(bytes);
            var result = await server.Transport.Input.ReadAsync().AsTask().WaitAsync(Timeout);
            Assert.Equal(bytes, result.Buffer.ToArray());
            server.Transport.Input.AdvanceTo(result.Buffer.End);
        }
    }

    [Fact]
    public async Task RequestsHaveLoopsOfTheirOwnEachNewConnectionOnTheLeastLoaded()
    {
        _factory.Dispose();
        _factory = Factory(new EventLoopTransportOptions { Loops = 2, FillLoopsTo = 16 });
        var ingest = await _factory.BindAsync(new EventLoopEndPoint(IPAddress.Loopback, 0));
        _disposables.Add(ingest);
        await BindAsync(EventLoopTraffic.Requests);
        var threads = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var (client, server) = await AcceptAsync();
            threads.Add(await LoopThreadAsync(client, server));
        }

        var ingestClient = new TcpClient();
        await ingestClient.ConnectAsync((IPEndPoint)ingest.EndPoint);
        var ingestServer = (await ingest.AcceptAsync().AsTask().WaitAsync(Timeout))!;
        _disposables.Add(ingestServer);
        threads.Add(await LoopThreadAsync(ingestClient, ingestServer));

        Assert.Equal(["Stagecast HTTP I/O 0", "Stagecast HTTP I/O 1", "Stagecast HTTP I/O 0", "Stagecast I/O 0"], threads);
    }

    [Fact]
    public async Task AnApplicationRunOffTheLoopNeitherRunsOnItNorHoldsItUp()
    {
        _factory.Dispose();
        _factory = Factory(new EventLoopTransportOptions { Loops = 1 });
        await BindAsync(EventLoopTraffic.Requests);
        var (blockedClient, blockedServer) = await AcceptAsync();
        var (otherClient, otherServer) = await AcceptAsync();

        // An application that blocks its thread after each read (a synchronous database call, say), run off the loop.
        using var release = new ManualResetEventSlim();
        var threads = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var blocked = EventLoopApplications.RunOffLoopAsync(blockedServer, async connection =>
        {
            var result = await connection.Transport.Input.ReadAsync();
            threads.Enqueue(Thread.CurrentThread.Name ?? "");
            connection.Transport.Input.AdvanceTo(result.Buffer.End);
            release.Wait(Timeout);
        });
        await blockedClient.GetStream().WriteAsync("x"u8.ToArray());
        await Eventually.TrueAsync(() => !threads.IsEmpty, "the blocking application read its byte");

        // The one loop still serves its other connection.
        Assert.Equal("Stagecast HTTP I/O 0", await LoopThreadAsync(otherClient, otherServer));
        Assert.DoesNotContain("Stagecast HTTP I/O", threads.Single());
        release.Set();
        await blocked.WaitAsync(Timeout);
    }

    [Fact]
    public async Task ManyConnectionsAtOnceEachGetTheirOwnBytes()
    {
        const int count = 200;
        await BindAsync();
        var clients = new List<TcpClient>();
        var servers = new List<ConnectionContext>();
        for (int i = 0; i < count; i++)
        {
            var client = new TcpClient();
            await client.ConnectAsync((IPEndPoint)_listener.EndPoint);
            clients.Add(client);
            var server = (await _listener.AcceptAsync().AsTask().WaitAsync(Timeout))!;
            servers.Add(server);
            _ = EchoAsync(server);
        }

        await Task.WhenAll(clients.Select(async (client, i) =>
        {
            byte[] message = BitConverter.GetBytes(i).Concat(RandomNumberGenerator.GetBytes(20_000)).ToArray();
            var stream = client.GetStream();
            await stream.WriteAsync(message);
            client.Client.Shutdown(SocketShutdown.Send);
            byte[] echoed = await ReadToEndAsync(stream);
            Assert.Equal(message, echoed);
            client.Dispose();
        })).WaitAsync(Timeout);

        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }

        _factory.Dispose();
    }

    /// <summary>A connection on a loop with the given pacing whose first byte, "a", the server has read.</summary>
    private async Task<(TcpClient Client, ConnectionContext Server)> ConnectPacedAsync(TimeSpan pacing, int paceFromConnections)
    {
        _factory.Dispose();
        _factory = Factory(new EventLoopTransportOptions { ReadPacing = pacing, ReadPacingFromConnections = paceFromConnections });
        var (client, server) = await ConnectAsync();
        await client.GetStream().WriteAsync("a"u8.ToArray());
        var first = await server.Transport.Input.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal("a"u8.ToArray(), first.Buffer.ToArray());
        server.Transport.Input.AdvanceTo(first.Buffer.End);
        return (client, server);
    }

    private static EventLoopTransportFactory Factory(EventLoopTransportOptions options) => new(NullLoggerFactory.Instance, Options.Create(options));

    private async Task BindAsync(EventLoopTraffic traffic = EventLoopTraffic.Ingest)
    {
        _listener = await _factory.BindAsync(new EventLoopEndPoint(IPAddress.Loopback, 0, traffic));
    }

    private async Task<(TcpClient Client, ConnectionContext Server)> ConnectAsync()
    {
        await BindAsync();
        return await AcceptAsync();
    }

    /// <summary>A new connection to the bound listener, both ends.</summary>
    private async Task<(TcpClient Client, ConnectionContext Server)> AcceptAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)_listener.EndPoint);
        var server = (await _listener.AcceptAsync().AsTask().WaitAsync(Timeout))!;
        _disposables.Add(server);
        return (client, server);
    }

    /// <summary>
    /// The name of the loop thread serving a connection: the application's reader runs on it (inline scheduling), so
    /// a read awaited before the client writes continues there.
    /// </summary>
    private static async Task<string> LoopThreadAsync(TcpClient client, ConnectionContext server)
    {
        async Task<string> ReadAsync()
        {
            var result = await server.Transport.Input.ReadAsync().ConfigureAwait(false);
            server.Transport.Input.AdvanceTo(result.Buffer.End);
            return Thread.CurrentThread.Name ?? "";
        }

        var reading = ReadAsync();
        await client.GetStream().WriteAsync("x"u8.ToArray());
        return await reading.WaitAsync(Timeout);
    }

    /// <summary>Copies input to output until the peer finishes sending, then finishes the output.</summary>
    private static async Task EchoAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        while (true)
        {
            var result = await input.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                await output.WriteAsync(segment);
            }

            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await output.CompleteAsync();
        await connection.DisposeAsync();
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var received = new MemoryStream();
        await stream.CopyToAsync(received).WaitAsync(Timeout);
        return received.ToArray();
    }
}
