namespace Stagecast.Srt.Sessions;

/// <summary>
/// One accepted SRT connection, handled on the server's connection loop: it reads what the socket has when the loop
/// says it is readable, checks its deadlines once a second, and lets go of what it holds when closed. Work from other
/// threads (a revoked publisher, a reader whose stream ended) reaches it through <see cref="ISrtConnectionHost.Post"/>.
/// </summary>
internal abstract class SrtConnection(int socket, string remote, string address, long acceptedAt)
{
    /// <summary>
    /// Silence after which libsrt takes a peer for gone (SRTO_PEERIDLETIMEO, set to libsrt's default): a connection that
    /// breaks sooner after its last message was closed by the caller.
    /// </summary>
    public static readonly TimeSpan PeerIdleTimeout = TimeSpan.FromSeconds(5);

    public int Socket { get; } = socket;

    /// <summary>The caller's address and port, for logs.</summary>
    public string Remote { get; } = remote;

    /// <summary>The caller's address, for the per-address cap.</summary>
    public string Address { get; } = address;

    public long AcceptedAt { get; } = acceptedAt;

    private volatile bool _closed;

    /// <summary>Set on the loop as the connection closes; other threads read it to stop early.</summary>
    public bool IsClosed => _closed;

    /// <summary>Starts the connection's work once it is accepted.</summary>
    public abstract void Start();

    /// <summary>Reads everything the socket has now; <paramref name="buffer"/> holds one message.</summary>
    public abstract void OnReadable(byte[] buffer);

    /// <summary>The caller went away (libsrt reports the connection broken); returns why, for the log.</summary>
    public virtual string OnDisconnected(long now) => "the caller disconnected";

    /// <summary>Returns why the connection must close now (a deadline passed), or null.</summary>
    public virtual string? CheckTimeouts(long now) => null;

    /// <summary>Called once, on the loop, as the socket closes.</summary>
    public void Close(string reason)
    {
        if (!_closed)
        {
            _closed = true;
            OnClosed(reason);
        }
    }

    protected abstract void OnClosed(string reason);
}
