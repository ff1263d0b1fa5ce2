using System.Net.WebSockets;
using System.Threading.Channels;

namespace Stagecast.Server.Features.MeetingSockets;

/// <summary>
/// One WebSocket of a meeting front end: the JSON channel's (text messages) or RealtimeKit's (binary messages, and
/// text pings), opened through <see cref="MeetingSocketService"/>. Messages to the client go through a bounded queue drained
/// by one send loop, so a broadcast never waits for a slow client: one that falls
/// <see cref="MeetingSocketOptions.SendQueueLength"/> messages behind is aborted. A received message is bounded by
/// <see cref="MeetingSocketOptions.MaxMessageBytes"/> until the socket joins its room, then by the protocol's own
/// limit; the buffer it is read into grows to what messages need, not to the limit.
/// </summary>
public sealed class MeetingSocket
{
    private const int MaxCloseReasonLength = 60;
    private const int FirstBufferBytes = 4096;
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(2);
    private readonly WebSocket _socket;
    private readonly TimeProvider _time;
    private readonly Channel<(ReadOnlyMemory<byte> Message, WebSocketMessageType Type)> _outbox;
    private readonly WebSocketMessageType _type;
    private readonly int _joinedMaxBytes;
    private readonly TaskCompletionSource _readingEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _received = new byte[FirstBufferBytes];
    private int _maxBytes;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = "";
    private int _closing;
    private ITimer? _closeLater;

    /// <param name="type">What the protocol's messages are: text (JSON), or binary with text only for pings.</param>
    /// <param name="unjoinedMaxBytes">The largest message before the socket joins its room.</param>
    /// <param name="joinedMaxBytes">The largest message once it has.</param>
    internal MeetingSocket(WebSocket socket, MeetingSocketOptions options, TimeProvider time, WebSocketMessageType type, int unjoinedMaxBytes, int joinedMaxBytes)
    {
        _socket = socket;
        _time = time;
        _type = type;
        _maxBytes = unjoinedMaxBytes;
        _joinedMaxBytes = joinedMaxBytes;
        _outbox = Channel.CreateBounded<(ReadOnlyMemory<byte>, WebSocketMessageType)>(new BoundedChannelOptions(options.SendQueueLength) { SingleReader = true });
    }

    /// <summary>What the last message <see cref="ReceiveAsync"/> gave was: text, or (binary protocols) binary.</summary>
    public WebSocketMessageType ReceivedType { get; private set; }

    /// <summary>Completed by <see cref="Start"/>: the front end's client began (the join deadline no longer applies).</summary>
    internal Task Started => _started.Task;

    /// <summary>Completed by <see cref="Join"/>.</summary>
    internal Task Joined => _joined.Task;

    /// <summary>The client did what a socket must do within the join timeout (<c>join</c>, or its first request).</summary>
    public void Start() => _started.TrySetResult();

    /// <summary>
    /// The client entered its room (or started waiting to, on the JSON channel): it no longer counts as one of its
    /// participant's unjoined sockets, and takes the protocol's larger messages.
    /// </summary>
    public void Join()
    {
        Start();
        Volatile.Write(ref _maxBytes, _joinedMaxBytes);
        _joined.TrySetResult();
    }

    /// <summary>Closes the socket when the participant's token expires (at once if it has); dispose it when the socket ends.</summary>
    internal ITimer CloseWhenExpired(ParticipantCredential credential)
    {
        var untilExpiry = credential.ExpiresAt - _time.GetUtcNow();
        return _time.CreateTimer(_ => Close(MeetingSocketCloseCodes.Kicked, "the participant token expired"), null,
            untilExpiry > TimeSpan.Zero ? untilExpiry : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether <see cref="CloseAfter"/> was called: the socket serves nothing more and is about to close.</summary>
    public bool ClosingSoon => Volatile.Read(ref _closeLater) is not null;

    /// <summary>
    /// Closes with this status and reason after <paramref name="delay"/>, unless it closed first: a moved peer's socket,
    /// on which the answers still due go out first (and the client may close it itself). The first call wins.
    /// </summary>
    public void CloseAfter(TimeSpan delay, WebSocketCloseStatus status, string reason)
    {
        var timer = _time.CreateTimer(_ => Close(status, reason), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (Interlocked.CompareExchange(ref _closeLater, timer, null) is null)
        {
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            timer.Dispose();
        }
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
        Volatile.Read(ref _closeLater)?.Dispose();
        _outbox.Writer.TryComplete();
    }

    public void Abort()
    {
        Interlocked.Exchange(ref _closing, 1);
        Volatile.Read(ref _closeLater)?.Dispose();
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
            int limit = Volatile.Read(ref _maxBytes);
            if (length == _received.Length)
            {
                if (length >= limit)
                {
                    Close(WebSocketCloseStatus.MessageTooBig, $"messages are limited to {limit} bytes");
                    return null;
                }

                Array.Resize(ref _received, Math.Min(limit, length * 2));
            }

            ValueWebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(_received.AsMemory(length, Math.Min(_received.Length, limit) - length), cancellationToken).ConfigureAwait(false);
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

            if (length >= limit)
            {
                Close(WebSocketCloseStatus.MessageTooBig, $"messages are limited to {limit} bytes");
                return null;
            }
        }
    }

    /// <summary>The client's run ended: nothing reads the socket any more; what is queued is sent, then it closes.</summary>
    internal void Finish()
    {
        _readingEnded.TrySetResult();
        Close(WebSocketCloseStatus.NormalClosure, "");
    }

    /// <summary>Drains the queue onto the socket until <see cref="Close"/> or <see cref="Abort"/>.</summary>
    internal async Task RunSendLoopAsync()
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
