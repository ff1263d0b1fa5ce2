using System.Net.Sockets;
using System.Net.WebSockets;
using Google.Protobuf;
using Stagecast.RealtimeKit;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// RealtimeKit's socket spoken directly, without the SDK: what an attacker (or a test of the server's rules) sends. It
/// connects to <c>wss://socket-edge.{domain}/ws</c> on the server's HTTPS port as the SDK does, keeps every message
/// received, answers the server's pings, and waits for what a test expects.
/// </summary>
public sealed class RealtimeKitSocketClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket _socket = new();
    private readonly List<SocketMessage> _received = [];
    private readonly SemaphoreSlim _sending = new(1, 1);
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiving = Task.CompletedTask;
    private bool _closed;
    private int _nextId;

    private RealtimeKitSocketClient(string peerId) => PeerId = peerId;

    public string PeerId { get; }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    /// <summary>A copy of what has arrived so far: a query over it sees nothing newer, so read it again to wait for more.</summary>
    public IReadOnlyList<SocketMessage> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Opens a socket for <paramref name="token"/> on the server of <paramref name="rtk"/>.</summary>
    public static Task<RealtimeKitSocketClient> ConnectAsync(RealtimeKitServer rtk, string token, string? peerId = null) =>
        ConnectAsync(new Uri(rtk.Server.HttpBase).Port, rtk.Certificate, token, peerId);

    /// <summary>
    /// Opens a socket (the WebSocket handshake answered 101), or throws <see cref="WebSocketException"/> with the
    /// server's refusal (its status in <see cref="WebSocketException.Data"/> is not given by .NET: see the message).
    /// Without <paramref name="certificate"/>, over plain HTTP (a cluster's nodes behind their TLS proxy), for
    /// <paramref name="domain"/>'s socket-edge name.
    /// </summary>
    public static async Task<RealtimeKitSocketClient> ConnectAsync(int port, TestCertificate? certificate, string token, string? peerId = null,
        string domain = RealtimeKitBrowser.Domain)
    {
        var client = new RealtimeKitSocketClient(peerId ?? Guid.NewGuid().ToString("N"));
        var handler = new SocketsHttpHandler
        {
            // socket-edge.{domain} is this server, on loopback.
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate?.Thumbprint;
        client._socket.Options.HttpVersion = System.Net.HttpVersion.Version11;
        using var invoker = new HttpMessageInvoker(handler);
        var uri = new Uri($"{(certificate is null ? "ws" : "wss")}://socket-edge.{domain}:{port}/ws?peerID={client.PeerId}&authToken={Uri.EscapeDataString(token)}");
        await client._socket.ConnectAsync(uri, invoker, CancellationToken.None);
        client._receiving = client.ReceiveLoopAsync();
        return client;
    }

    /// <summary>Sends a request (with an id) and waits for the message answering it (its reply or an error).</summary>
    public Task<SocketMessage> RequestAsync(uint @event, IMessage payload, TimeSpan? timeout = null) => RequestAsync(@event, payload.ToByteString(), timeout);

    /// <summary>A request whose payload is given as bytes (an attacker's).</summary>
    public async Task<SocketMessage> RequestAsync(uint @event, ByteString payload, TimeSpan? timeout = null)
    {
        string id = Send(@event, payload, out var sending);
        await sending;
        return await WaitForAsync(m => m.Id == id, timeout);
    }

    /// <summary>Sends a request and gives its id without waiting for an answer.</summary>
    public string Send(uint @event, IMessage payload, out Task sent) => Send(@event, payload.ToByteString(), out sent);

    public string Send(uint @event, ByteString payload, out Task sent)
    {
        string id = $"{PeerId}-{Interlocked.Increment(ref _nextId)}";
        sent = SendRawAsync(new SocketMessage { Event = @event, Id = id, Payload = payload }.ToByteArray(), WebSocketMessageType.Binary);
        return id;
    }

    public async Task SendRawAsync(byte[] bytes, WebSocketMessageType type)
    {
        await _sending.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, type, true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The id this client knows a participant's peer by (room.getRoomPeersInfo).</summary>
    public async Task<string> PeerIdOfAsync(string participantId) =>
        Stagecast.RealtimeKit.Protocol.Rooms.RoomPeersInfoResponse.Parser.ParseFrom((await RequestAsync(RealtimeKitEvents.Room.GetRoomPeersInfo, ByteString.Empty)).Payload)
            .Peers.Single(p => p.UserId == participantId).PeerId;

    /// <summary>Whether a reply is an error (the socket's error event, or a media error).</summary>
    public static bool IsError(SocketMessage message) => message.Event is RealtimeKitEvents.Error or RealtimeKitEvents.Media.ErrorResponse;

    public async Task<SocketMessage> WaitForAsync(Func<SocketMessage, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultWait);
        while (true)
        {
            Task arrived;
            bool closed;
            lock (_received)
            {
                arrived = _arrived.Task;
                if (_received.FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                closed = _closed;
            }

            if (closed)
            {
                throw new InvalidOperationException($"socket closed ({CloseStatus} {CloseDescription}); received events: {string.Join(", ", Received.Select(m => $"0x{m.Event:x}"))}");
            }

            var left = deadline - DateTime.UtcNow;
            try
            {
                await arrived.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"no such message; received events: {string.Join(", ", Received.Select(m => $"0x{m.Event:x}"))}");
            }
        }
    }

    /// <summary>Waits until the server closes the socket; its close status.</summary>
    public async Task<WebSocketCloseStatus?> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        await _receiving.WaitAsync(timeout ?? DefaultWait);
        return CloseStatus;
    }

    public async ValueTask DisposeAsync() => await TestWebSockets.CloseAsync(_socket, _receiving);

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                if (await TestWebSockets.ReceiveAsync(_socket, buffer) is not { } received)
                {
                    return;
                }

                var (length, type) = received;

                if (type == WebSocketMessageType.Text)
                {
                    await SendRawAsync("3"u8.ToArray(), WebSocketMessageType.Text); // the server's ping "2"
                    continue;
                }

                var message = SocketFrameReader.Read(buffer.AsSpan(0, length), buffer.Length);
                lock (_received)
                {
                    _received.Add(message);
                    _arrived.TrySetResult();
                    _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
        catch (WebSocketException)
        {
            // aborted
        }
        finally
        {
            lock (_received)
            {
                _closed = true;
                _arrived.TrySetResult();
            }
        }
    }
}
