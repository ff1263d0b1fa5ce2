using System.Collections.Concurrent;
using Org.BouncyCastle.Crypto.Tls;
using Org.BouncyCastle.Security;
using Stagecast.WebRtc.Srtp;

namespace Stagecast.WebRtc.Dtls;

/// <summary>
/// One peer's DTLS-SRTP handshake: records arrive through <see cref="Feed"/> (from the shared socket, already matched to
/// this peer by ICE), go out through the send callback, and the handshake runs on its own thread because BouncyCastle's
/// API blocks. The result is the pair of SRTP contexts: one to check what the peer sends, one to protect what we send.
/// </summary>
public sealed class DtlsSession : DatagramTransport, IDisposable
{
    /// <summary>Records queued before the handshake thread takes them; beyond this a flood is dropped.</summary>
    private const int MaxQueuedRecords = 64;
    private const int Mtu = 1200;

    private readonly BlockingCollection<byte[]> _incoming = new(new ConcurrentQueue<byte[]>(), MaxQueuedRecords);
    private readonly CancellationTokenSource _closed = new();
    private readonly DtlsCertificate _certificate;
    private readonly string _fingerprintAlgorithm;
    private readonly byte[] _fingerprint;
    private readonly Action<byte[], int, int> _send;
    private int _handshakeStarted;
    private int _readingAlert;
    private DtlsTransport? _transport;

    public DtlsSession(DtlsCertificate certificate, string fingerprintAlgorithm, byte[] fingerprint, Action<byte[], int, int> send)
    {
        _certificate = certificate;
        _fingerprintAlgorithm = fingerprintAlgorithm;
        _fingerprint = fingerprint;
        _send = send;
    }

    /// <summary>DTLS records (RFC 7983: first byte 20-63) are content types 20-25 with version 0xFEFF or 0xFEFD.</summary>
    public static bool IsRecord(ReadOnlySpan<byte> packet) => packet.Length >= 13 && packet[0] is >= 20 and <= 63 && packet[1] == 0xFE;

    /// <summary>Raised when the peer closes DTLS with an authenticated close_notify (a browser's RTCPeerConnection.close()).</summary>
    public Action? PeerClosed { get; set; }

    /// <summary>
    /// Queues a record for the handshake; false (dropped) when the queue is full or the session closed. After the
    /// handshake only alerts matter (media is SRTP): one is read through DTLS, so only an authenticated close_notify
    /// from the peer ends the session.
    /// </summary>
    public bool Feed(ReadOnlySpan<byte> record)
    {
        if (_closed.IsCancellationRequested || (_transport is not null && record[0] != 21) || !_incoming.TryAdd(record.ToArray()))
        {
            return false;
        }

        if (_transport is not null && record[0] == 21 && Interlocked.Exchange(ref _readingAlert, 1) == 0)
        {
            ThreadPool.QueueUserWorkItem(_ => ReadAlerts());
        }

        return true;
    }

    private void ReadAlerts()
    {
        var buffer = new byte[1500];
        try
        {
            while (_incoming.Count > 0 && !_closed.IsCancellationRequested)
            {
                _transport!.Receive(buffer, 0, buffer.Length, 0);
            }
        }
        catch (Exception ex) when (ex is IOException or TlsException or ObjectDisposedException or InvalidOperationException)
        {
            // a fatal alert or a closed transport: the peer is gone either way
            PeerClosed?.Invoke();
        }
        finally
        {
            Volatile.Write(ref _readingAlert, 0);
        }
    }

    /// <summary>Runs the server handshake; throws when it fails, the peer's certificate does not match, or the deadline passes.</summary>
    public Task<(SrtpContext Inbound, SrtpContext Outbound)> HandshakeAsync(TimeSpan deadline)
    {
        if (Interlocked.Exchange(ref _handshakeStarted, 1) != 0)
        {
            throw new InvalidOperationException("the handshake already ran");
        }

        _closed.CancelAfter(deadline);
        return Task.Factory.StartNew(Handshake, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private (SrtpContext, SrtpContext) Handshake()
    {
        var server = new DtlsSrtpServer(_certificate, _fingerprintAlgorithm, _fingerprint) { CloseNotifyReceived = () => PeerClosed?.Invoke() };
        DtlsTransport transport;
        try
        {
            var protocol = new DtlsServerProtocol(new SecureRandom());
            transport = protocol.Accept(server, this);
        }
        catch (Exception ex) when (ex is TlsException or IOException or OperationCanceledException)
        {
            throw new WebRtcProtocolException(_closed.IsCancellationRequested
                ? "the DTLS handshake did not complete in time"
                : $"the DTLS handshake failed: {ex.Message}");
        }

        if (!server.ClientCertificateMatched || server.KeyingMaterial is not { } material || server.Profile is not { } profile)
        {
            throw new WebRtcProtocolException("the DTLS peer presented no certificate matching the SDP fingerprint");
        }

        _closed.CancelAfter(Timeout.InfiniteTimeSpan);
        while (_incoming.TryTake(out _))
        {
            // records the handshake left behind (retransmissions) are not alerts
        }

        _transport = transport;
        int key = SrtpProfileExtensions.KeyLength;
        int salt = profile.SaltLength();
        var span = material.AsSpan();
        var clientKey = span[..key];
        var serverKey = span.Slice(key, key);
        var clientSalt = span.Slice(2 * key, salt);
        var serverSalt = span.Slice((2 * key) + salt, salt);
        return (new SrtpContext(profile, clientKey, clientSalt), new SrtpContext(profile, serverKey, serverSalt));
    }

    public int GetReceiveLimit() => 1500;

    public int GetSendLimit() => Mtu;

    public int Receive(byte[] buf, int off, int len, int waitMillis)
    {
        try
        {
            if (!_incoming.TryTake(out var record, waitMillis, _closed.Token))
            {
                return -1;
            }

            int length = Math.Min(len, record.Length);
            record.AsSpan(0, length).CopyTo(buf.AsSpan(off));
            return length;
        }
        catch (OperationCanceledException)
        {
            throw new IOException("the DTLS session was closed");
        }
    }

    public void Send(byte[] buf, int off, int len) => _send(buf, off, len);

    public void Close() => _closed.Cancel();

    /// <summary>Ends the session; after a handshake the peer is told with a close_notify alert, so it need not wait for consent to fail.</summary>
    public void Dispose()
    {
        if (_transport is { } transport && !_closed.IsCancellationRequested)
        {
            try
            {
                transport.Close();
            }
            catch (Exception ex) when (ex is IOException or TlsException or ObjectDisposedException or InvalidOperationException)
            {
                // the peer is gone or already closed DTLS: nothing to tell it
            }
        }

        _closed.Cancel();
        _incoming.Dispose();
    }
}
