using Stagecast.Media.Rtp;
using Stagecast.Streaming.Limits;
using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Ice;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Srtp;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// One WebRTC session on the shared transport, composed of its ICE-lite agent, the DTLS handshake and the SRTP
/// contexts it yields. WHIP and WHEP sessions derive from it and handle the media. Everything arriving here has
/// been matched to this session by a binding request that passed MESSAGE-INTEGRITY, or by the address it chose.
/// </summary>
public abstract class WebRtcSession : IDisposable
{
    private readonly CancellationTokenSource _closed = new();
    private readonly DtlsSession _dtls;
    private readonly TimeProvider _time;
    private readonly byte[] _sendBuffer = new byte[1500];
    private readonly Lock _sendSync = new();
    private SrtpContext? _inbound;
    private SrtpContext? _outbound;
    private readonly TokenBucket _packets;
    private readonly MediaWorker? _worker;
    private int _dtlsStarted;

    /// <param name="publishes">
    /// Whether the peer sends media the server forwards (a meeting's sender, WHIP): its RTP is then received on a media
    /// worker (<see cref="MediaWorkers"/>) rather than on the UDP socket's thread.
    /// </param>
    protected WebRtcSession(WebRtcTransport transport, SdpSessionDescription offer, string clientAddress, bool publishes = false)
    {
        Transport = transport;
        _time = transport.Time;
        Id = Guid.NewGuid().ToString("N");
        Ice = new IceLiteAgent(offer.IceUfrag!, _time);
        // At most MaxPacketsPerSecond a second on average, a second's worth at once; the rest of a flood is dropped.
        _packets = new TokenBucket(_time, transport.Options.MaxPacketsPerSecond, transport.Options.MaxPacketsPerSecond);
        ClientAddress = clientAddress;
        _worker = publishes ? transport.Workers.Assign() : null;
        _dtls = new DtlsSession(transport.Certificate, offer.FingerprintAlgorithm!, offer.Fingerprint!, SendDatagram)
        {
            PeerClosed = () => Close("the peer closed the connection (DTLS close_notify)"),
        };
    }

    /// <summary>
    /// The batch this thread's RTP goes out in (a media worker's, flushed when it has handled what it had), or null:
    /// sent at once.
    /// </summary>
    [ThreadStatic]
    internal static UdpBatch? SendBatch;

    /// <summary>The CNAME the server's descriptions name its tracks under.</summary>
    public const string CName = "stagecast";

    public string Id { get; }

    /// <summary>The session's ICE-lite agent: credentials, validated paths, the selected one, consent.</summary>
    public IceLiteAgent Ice { get; }

    /// <summary>The HTTP client's address, for per-address session limits.</summary>
    public string ClientAddress { get; }

    public WebRtcTransport Transport { get; }

    /// <summary>Where ICE says the peer is: the path we send on.</summary>
    public IcePath? Remote => Ice.Selected;

    public bool IsConnected => _outbound is not null;

    public bool IsClosed => _closed.IsCancellationRequested;

    public CancellationToken Closed => _closed.Token;

    /// <summary>
    /// The answer to the client's offer (every answer the server gives, whatever the front end): the session's ICE
    /// credentials, the transport's fingerprint and candidates (<paramref name="localAddress"/>'s first: the address
    /// the client reached the server's HTTP on), and <paramref name="media"/>.
    /// </summary>
    public string Answer(IReadOnlyList<AnsweredMedia> media, System.Net.IPAddress? localAddress = null) =>
        SdpAnswer.Build(Ice.Credentials, Transport.Certificate.Fingerprint, Transport.Candidates(localAddress), media, CName);

    public string? CloseReason { get; private set; }

    /// <summary>How long ago the session was created (its SDP answered).</summary>
    public TimeSpan Age => Ice.Age;

    internal void OnDtls(ReadOnlySpan<byte> record, IcePath? from)
    {
        if (!IsConnected)
        {
            Ice.Latch(from);
        }

        if (Interlocked.Exchange(ref _dtlsStarted, 1) == 0)
        {
            _ = RunHandshakeAsync();
        }

        _dtls.Feed(record);
    }

    /// <summary>An SRTP or SRTCP packet from a validated path, decrypted in place and handed on.</summary>
    internal void OnSrtp(byte[] buffer, int length, IcePath? from)
    {
        if (_inbound is not { } inbound || !_packets.TryTake())
        {
            return;
        }

        // Authenticated SRTP or SRTCP also shows the peer is there: not every full ICE agent sends consent checks
        // (libnice sends unauthenticated keepalive indications unless told otherwise).
        var packet = buffer.AsSpan(0, length);
        if (RtpHeader.IsRtcp(packet))
        {
            if (inbound.TryUnprotectRtcp(packet, out int plain))
            {
                Ice.Consent();
                Ice.Latch(from);
                OnRtcp(packet[..plain]);
            }
        }
        else if (_worker is null)
        {
            ReceiveRtp(buffer, length, from);
        }
        else
        {
            _worker.TryPost(this, packet, from); // dropped when it is full: the server is behind its publishers
        }
    }

    /// <summary>An SRTP packet in <c>buffer[..length]</c>, decrypted in place and handed on (on its media worker, if it has one).</summary>
    internal void ReceiveRtp(byte[] buffer, int length, IcePath? from)
    {
        if (_inbound is { } inbound && inbound.TryUnprotectRtp(buffer.AsSpan(0, length), out int plain))
        {
            Ice.Consent();
            Ice.Latch(from);
            OnRtp(buffer, plain);
        }
    }

    /// <summary>Protects and sends an RTP packet in <c>buffer[..length]</c> (the buffer needs 16 spare bytes).</summary>
    protected void SendRtp(ReadOnlySpan<byte> packet)
    {
        if (_outbound is not { } outbound || Remote is not { } remote)
        {
            return;
        }

        // On a media worker over UDP, written straight into its batch's next slot; else into the session's buffer, sent now.
        var batch = SendBatch is { } worker && remote is UdpPath ? worker : null;
        lock (_sendSync)
        {
            var buffer = batch is null ? _sendBuffer : batch.Next;
            packet.CopyTo(buffer);
            OnSending(buffer[..packet.Length]);
            int length = outbound.ProtectRtp(buffer, packet.Length);
            if (batch is null)
            {
                remote.Send(buffer[..length]);
            }
            else
            {
                batch.Commit(length, ((UdpPath)remote).Address);
            }
        }
    }

    /// <summary>An RTP packet about to be protected and sent, in send order (under the send lock): the last moment to number it.</summary>
    protected virtual void OnSending(Span<byte> packet)
    {
    }

    /// <summary>
    /// Protects the RTP packet written at <c>batch.Next[..length]</c> in place and queues it on the batch (sent with
    /// the batch), or sends it now when the path is ICE-TCP.
    /// </summary>
    protected void QueueRtp(UdpBatch batch, int length)
    {
        if (_outbound is not { } outbound || Remote is not { } remote)
        {
            return;
        }

        var slot = batch.Next;
        int protectedLength;
        lock (_sendSync)
        {
            protectedLength = outbound.ProtectRtp(slot, length);
        }

        if (remote is UdpPath udp)
        {
            batch.Commit(protectedLength, udp.Address);
        }
        else
        {
            remote.Send(slot[..protectedLength]);
        }
    }

    protected void SendRtcp(ReadOnlySpan<byte> packet)
    {
        if (_outbound is not { } outbound || Remote is not { } remote)
        {
            return;
        }

        lock (_sendSync)
        {
            packet.CopyTo(_sendBuffer);
            int length = outbound.ProtectRtcp(_sendBuffer, packet.Length);
            remote.Send(_sendBuffer.AsSpan(0, length));
        }
    }

    public void Close(string reason)
    {
        lock (_closed)
        {
            if (_closed.IsCancellationRequested)
            {
                return;
            }

            CloseReason = reason;
            _closed.Cancel();
        }

        Transport.Unregister(this);
        _dtls.Dispose();
        if (_outbound is null)
        {
            Transport.Log.NotConnected(Id, ClientAddress, reason);
        }

        OnClosed(reason);
    }

    public void Dispose()
    {
        Close("disposed");
        GC.SuppressFinalize(this);
    }

    protected abstract void OnConnected();

    /// <summary>A decrypted RTP packet in <c>buffer[..length]</c>; the buffer is reused after this returns.</summary>
    protected abstract void OnRtp(byte[] buffer, int length);

    protected abstract void OnRtcp(ReadOnlySpan<byte> packet);

    protected abstract void OnClosed(string reason);

    private async Task RunHandshakeAsync()
    {
        try
        {
            var remaining = Transport.Options.ConnectDeadline - Ice.Age;
            var (inbound, outbound) = await _dtls.HandshakeAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            _inbound = inbound;
            _outbound = outbound;
            Transport.Log.Connected(Id, Remote?.ToString() ?? "-", inbound.Profile);
            OnConnected();
        }
        catch (WebRtcProtocolException ex)
        {
            Close(ex.Message);
        }
    }

    private void SendDatagram(byte[] buffer, int offset, int length)
    {
        Remote?.Send(buffer.AsSpan(offset, length));
    }
}
