using System.Net.WebSockets;
using System.Threading.Channels;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// One WebSocket of a meeting front end: the JSON channel's (text messages) or RealtimeKit's (binary messages, and
/// text pings). Messages to the client go through a bounded queue drained by one send loop, so a broadcast never
/// waits for a slow client: one that falls <see cref="RealtimeOptions.SendQueueLength"/> messages behind is aborted.
/// Received messages are bounded by <paramref name="maxMessageBytes"/>.
/// </summary>
public sealed class RealtimeConnection
{
    private const int MaxCloseReasonLength = 60;
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(2);
    private readonly WebSocket _socket;
    private readonly RealtimeOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<(ReadOnlyMemory<byte> Message, WebSocketMessageType Type)> _outbox;
    private readonly WebSocketMessageType _type;
    private readonly byte[] _received;
    private readonly TaskCompletionSource _readingEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = "";
    private int _closing;

    /// <param name="type">What the protocol's messages are: text (JSON), or binary with text only for pings.</param>
    private RealtimeConnection(WebSocket socket, RealtimeOptions options, TimeProvider time, WebSocketMessageType type, int? maxMessageBytes)
    {
        _socket = socket;
        _options = options;
        _time = time;
        _type = type;
        _outbox = Channel.CreateBounded<(ReadOnlyMemory<byte>, WebSocketMessageType)>(new BoundedChannelOptions(options.SendQueueLength) { SingleReader = true });
        _received = new byte[maxMessageBytes ?? options.MaxMessageBytes];
    }

    /// <summary>What the last message <see cref="ReceiveAsync"/> gave was: text, or (binary protocols) binary.</summary>
    public WebSocketMessageType ReceivedType { get; private set; }

    /// <summary>
    /// How a WebSocket is opened: a GET with <c>Upgrade</c> over HTTP/1.1, an extended CONNECT over HTTP/2 (RFC 8441),
    /// which Chromium uses on any HTTP/2 connection it already has to the host (a page of the same origin, or another
    /// name the certificate covers).
    /// </summary>
    public static readonly string[] UpgradeMethods = [HttpMethods.Get, HttpMethods.Connect];

    /// <summary>Refuses a request to a socket's endpoint that is not a WebSocket upgrade.</summary>
    public static void RequireWebSocket(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw Hosting.Api.ApiException.BadRequest("this endpoint is a WebSocket: connect with an Upgrade: websocket request");
        }
    }

    /// <summary>
    /// Accepts the request's WebSocket and runs a front end's client on it (<paramref name="run"/>) until it ends; then
    /// what is queued is sent and the socket closed.
    /// </summary>
    public static async Task ServeAsync(HttpContext context, RealtimeOptions options, TimeProvider time, WebSocketMessageType type, int? maxMessageBytes,
        Func<RealtimeConnection, Task> run)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var connection = new RealtimeConnection(socket, options, time, type, maxMessageBytes);
        var sending = connection.RunSendLoopAsync();
        try
        {
            await run(connection).ConfigureAwait(false);
        }
        finally
        {
            connection._readingEnded.TrySetResult(); // the client ran here: nothing reads the socket any more
            connection.Close(WebSocketCloseStatus.NormalClosure, "");
            await sending.ConfigureAwait(false);
        }
    }

    /// <summary>Closes the socket when the participant's token expires (at once if it has); dispose it when the socket ends.</summary>
    public ITimer CloseWhenExpired(ParticipantCredential credential)
    {
        var untilExpiry = credential.ExpiresAt - _time.GetUtcNow();
        return _time.CreateTimer(_ => Close(RealtimeCloseCodes.Kicked, "the participant token expired"), null,
            untilExpiry > TimeSpan.Zero ? untilExpiry : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Queues a message; a client too far behind is aborted instead (false). Nothing is sent once closing.</summary>
    public bool TrySend(ReadOnlyMemory<byte> message) => TrySend(message, _type);

    /// <summary>Queues a text message on a binary protocol (its pings).</summary>
    public bool TrySendText(ReadOnlyMemory<byte> message) => TrySend(message, WebSocketMessageType.Text);

    private bool TrySend(ReadOnlyMemory<byte> message, WebSocketMessageType type)
    {
        if (_outbox.Writer.TryWrite((message, type)))
        {
            return true;
        }

        if (Volatile.Read(ref _closing) == 0)
        {
            Abort();
        }

        return false;
    }

    /// <summary>Sends what is queued, then closes with this status and reason. The first close wins.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return;
        }

        _closeStatus = status;
        _closeReason = reason.Length <= MaxCloseReasonLength ? reason : reason[..MaxCloseReasonLength]; // RFC 6455: 123 bytes at most
        _outbox.Writer.TryComplete();
    }

    public void Abort()
    {
        Interlocked.Exchange(ref _closing, 1);
        _outbox.Writer.TryComplete();
        _socket.Abort();
    }

    /// <summary>
    /// The next message (its type: <see cref="ReceivedType"/>), or null once the client closed or the socket failed.
    /// The bytes live in one buffer per socket and are valid until the next call.
    /// </summary>
    public async Task<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var message = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            _readingEnded.TrySetResult(); // the client's close answered, or the socket failed: the send loop may end
        }

        return message;
    }

    private async Task<ReadOnlyMemory<byte>?> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        int length = 0;
        while (true)
        {
            if (length == _received.Length)
            {
                Close(WebSocketCloseStatus.MessageTooBig, $"messages are limited to {_options.MaxMessageBytes} bytes");
                return null;
            }

            ValueWebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(_received.AsMemory(length), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                return null;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                // Answered with the client's own code, as RFC 6455 (5.5.1) suggests: RealtimeKit's client reconnects
                // after a close whose code is not 1000, and reads the code of this answer.
                Close(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, _socket.CloseStatusDescription ?? "");
                return null;
            }

            if (result.MessageType == WebSocketMessageType.Binary && _type == WebSocketMessageType.Text)
            {
                Close(WebSocketCloseStatus.InvalidMessageType, "messages are JSON text");
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                ReceivedType = result.MessageType;
                return _received.AsMemory(0, length);
            }
        }
    }

    /// <summary>Drains the queue onto the socket until <see cref="Close"/> or <see cref="Abort"/>.</summary>
    public async Task RunSendLoopAsync()
    {
        try
        {
            await foreach (var (message, type) in _outbox.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                await _socket.SendAsync(message, type, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(CloseWait, _time);
                await _socket.CloseOutputAsync(_closeStatus, _closeReason, timeout.Token).ConfigureAwait(false);

                // The request ends once the client's answer is read (or nothing reads any more); a client that never
                // answers the close frame must not hold the request (and a shutdown) open.
                await _readingEnded.Task.WaitAsync(CloseWait, _time).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException or TimeoutException)
        {
            _socket.Abort(); // the client is gone or silent; nothing more to send
        }
    }
}
