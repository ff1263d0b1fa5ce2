using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Tls;
using Org.BouncyCastle.Security;
using Stagecast.Media.Rtp;
using Stagecast.Transport.Epoll;
using Stagecast.WebRtc;
using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Ice;
using Stagecast.WebRtc.Srtp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Testing.WebRtc;

/// <summary>
/// A minimal WebRTC client over UDP (or ICE-TCP) on Stagecast's own stack, for tests and the benchmark: it posts its
/// offer (WHIP or WHEP) or hands it to sessions a test builds in process (<see cref="Negotiate"/>), acts as ICE
/// controlling agent (binding requests with USE-CANDIDATE, repeated for consent) and DTLS client, then sends the RTP it
/// is given (<see cref="WhipClient"/>) or decrypts and counts what arrives (<see cref="WhepClient"/>). It does not
/// encode or decode, so thousands fit on a machine.
/// </summary>
public abstract partial class WebRtcClient : IAsyncDisposable, DatagramTransport
{
    private readonly Socket _socket;
    private readonly bool _iceTcp;
    private readonly IceCredentials _ice = IceCredentials.Create();
    private readonly DtlsCertificate _certificate;
    private readonly BlockingCollection<byte[]> _dtls = new(64);
    private readonly CancellationTokenSource _closed = new();
    private string _serverUfrag = "";
    private byte[] _serverPassword = [];
    private readonly byte[] _sendBuffer = new byte[1500];
    private SrtpContext? _inbound;
    private SrtpContext? _outbound;
    private long _videoPackets;
    private long _audioPackets;
    private long _bytes;
    private long _bytesSent;
    private long _rejected;
    private long _rtcpPackets;
    private long _media;
    private (int Bytes, int Datagram) _lastRead; // of a GRO read, for FirstRejection
    private UdpReceivePump? _pump;

    /// <summary>A client with its certificate; over ICE-TCP (RFC 6544) when <paramref name="iceTcp"/>, else over UDP.</summary>
    protected WebRtcClient(DtlsCertificate certificate, bool iceTcp = false)
    {
        _certificate = certificate;
        _iceTcp = iceTcp;
        _socket = iceTcp ? TcpSocket() : new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    }

    /// <summary>
    /// When set, clients connected afterwards are read by this pump instead of each waiting on its socket (a load tool
    /// with hundreds of viewers: see <see cref="UdpReceivePump"/>); where GRO is missing they read as before.
    /// </summary>
    public static UdpReceivePump? ReceivePump { get; set; }

    public long VideoPackets => Interlocked.Read(ref _videoPackets);

    public long AudioPackets => Interlocked.Read(ref _audioPackets);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The RTP sent, counted as <see cref="Bytes"/> counts what arrives (header and payload).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>
    /// Of the media packets, how many arrive per one decrypted and authenticated (1: every one). A load tool may check
    /// one in several and count the others' payload by their lengths, leaving the machine's time to the server.
    /// </summary>
    public int VerifyEvery { get; set; } = 1;

    /// <summary>Media packets that failed SRTP authentication among those checked.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>The first of those, described (what it was and how it was read), for a report.</summary>
    public string? FirstRejection { get; private set; }

    /// <summary>Where the session lives on the server (its Location), for DELETE.</summary>
    public string? Location { get; private set; }

    protected IceCredentials Ice => _ice;

    /// <summary>The SDP offer this client posts, claiming <paramref name="fingerprint"/> for its certificate.</summary>
    protected abstract string Offer(string fingerprint);

    /// <summary>Each media packet as it arrives, decrypted (tests: payloads, sequence numbers); only with <see cref="VerifyEvery"/> 1.</summary>
    public PacketHandler? RtpReceived { get; set; }

    /// <summary>Each RTCP packet (compound) the server sends, decrypted: its receiver reports, NACKs, PLIs. Read only when set.</summary>
    public PacketHandler? RtcpReceived { get; set; }

    /// <summary>RTCP packets (compounds) that arrived, also before DTLS completed here, counted after <see cref="RtcpReceived"/> saw them.</summary>
    public long RtcpPackets => Interlocked.Read(ref _rtcpPackets);

    /// <summary>
    /// Which media packets the network loses, by payload type and sequence number (tests): they are dropped on arrival,
    /// before decryption, so that one sent again is new to the SRTP replay window as it would be.
    /// </summary>
    public Func<int, ushort, bool>? Lose { get; set; }

    /// <summary>
    /// Encrypts and sends one RTP packet (once connected; before, it is dropped). Not thread-safe: one sender at a time.
    /// </summary>
    public void SendRtp(ReadOnlySpan<byte> packet)
    {
        if (_outbound is { } outbound && packet.Length <= _sendBuffer.Length - 16)
        {
            packet.CopyTo(_sendBuffer);
            Send(outbound.ProtectRtp(_sendBuffer, packet.Length));
            Interlocked.Add(ref _bytesSent, packet.Length);
        }
    }

    /// <summary>Encrypts and sends one RTCP packet (compound: a viewer's NACK or PLI). One sender at a time, as for <see cref="SendRtp"/>.</summary>
    public void SendRtcp(ReadOnlySpan<byte> packet)
    {
        if (_outbound is { } outbound && packet.Length <= _sendBuffer.Length - 32)
        {
            packet.CopyTo(_sendBuffer);
            Send(outbound.ProtectRtcp(_sendBuffer, packet.Length));
        }
    }

    private void Send(int protectedLength)
    {
        if (_closed.IsCancellationRequested)
        {
            return;
        }

        try
        {
            Transmit(_sendBuffer.AsSpan(0, protectedLength));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // the client is closing
        }
    }

    public async ValueTask DisposeAsync()
    {
        _closed.Cancel();
        _pump?.Remove(_socket);
        _socket.Dispose();
        await Task.Yield();
    }

    /// <summary>Posts the offer to <paramref name="url"/> (with a bearer token when given), connects, and runs DTLS when asked.</summary>
    protected Task ConnectAsync(HttpClient http, string url, string? bearer, string fingerprint, bool dtls, CancellationToken cancellationToken) =>
        ConnectAsync((offer, token) => PostOfferAsync(http, url, bearer, offer, token), fingerprint, dtls, cancellationToken);

    /// <summary>Hands the offer to <paramref name="negotiate"/>, connects to what its answer says, and runs DTLS when asked.</summary>
    protected async Task ConnectAsync(Negotiate negotiate, string fingerprint, bool dtls, CancellationToken cancellationToken)
    {
        try
        {
            string answer = await negotiate(Offer(fingerprint), cancellationToken).ConfigureAwait(false);
            await ConnectCoreAsync(answer, dtls, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<string> PostOfferAsync(HttpClient http, string url, string? bearer, string offer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(offer, Encoding.UTF8, "application/sdp") };
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        string answer = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new WebRtcProtocolException($"{url} answered {(int)response.StatusCode}: {answer}");
        }

        Location = response.Headers.Location?.ToString();
        return answer;
    }

    private async Task ConnectCoreAsync(string answer, bool dtls, CancellationToken cancellationToken)
    {
        IPEndPoint? candidate = null;
        byte[] serverFingerprint = [];
        foreach (string line in answer.Split("\r\n"))
        {
            if (line.StartsWith("a=ice-ufrag:", StringComparison.Ordinal))
            {
                _serverUfrag = line[12..];
            }
            else if (line.StartsWith("a=ice-pwd:", StringComparison.Ordinal))
            {
                _serverPassword = Encoding.ASCII.GetBytes(line[10..]);
            }
            else if (line.StartsWith("a=fingerprint:sha-256 ", StringComparison.Ordinal))
            {
                serverFingerprint = Convert.FromHexString(line[22..].Replace(":", "", StringComparison.Ordinal));
            }
            else if (line.StartsWith("a=candidate:", StringComparison.Ordinal) && line.Split(' ') is { Length: > 5 } parts && parts[2] == (_iceTcp ? "tcp" : "udp"))
            {
                var address = IPAddress.Parse(parts[4]);
                if (candidate is null || IPAddress.IsLoopback(address))
                {
                    candidate = new IPEndPoint(address, int.Parse(parts[5], System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        await _socket.ConnectAsync(candidate ?? throw new WebRtcProtocolException($"the answer has no {(_iceTcp ? "TCP" : "UDP")} candidate"), cancellationToken)
            .ConfigureAwait(false);
        _ = Task.Run(_iceTcp ? ReceiveFramesAsync : ReceiveLoopAsync, CancellationToken.None);

        // A binding request before the DTLS handshake, as a browser checks connectivity first: an ICE-lite server takes
        // DTLS only from an address a binding came from, and a ClientHello that overtook it waited for the DTLS
        // client's first retransmission, a second later (half the handshakes of the webinar benchmark did).
        Transmit(BindingRequest());
        _ = Task.Run(() => KeepConsentAsync(_closed.Token), CancellationToken.None);
        if (dtls)
        {
            await HandshakeAsync(serverFingerprint, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task HandshakeAsync(byte[] serverFingerprint, CancellationToken cancellationToken)
    {
        var dtls = new DtlsSrtpClient(_certificate, serverFingerprint);
        try
        {
            await Task.Factory.StartNew(() => new DtlsClientProtocol(new SecureRandom()).Connect(dtls, this), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .ConfigureAwait(false);
        }
        catch (TlsException ex)
        {
            // A server's alert and the client's own both read "internal_error(80)": say which, and why.
            throw new WebRtcProtocolException($"the DTLS handshake failed: {dtls.FatalAlert ?? ex.Message}" +
                (ex.InnerException is { } cause ? $" ({cause.GetType().Name}: {cause.Message})" : ""));
        }

        var material = dtls.KeyingMaterial!.AsSpan();
        int key = SrtpProfileExtensions.KeyLength;
        int salt = dtls.Profile.SaltLength();
        _inbound = new SrtpContext(dtls.Profile, material.Slice(key, key), material.Slice((2 * key) + salt, salt)); // the server's keys
        _outbound = new SrtpContext(dtls.Profile, material[..key], material.Slice(2 * key, salt)); // ours
    }

    /// <summary>Binding requests every 2 s (the first ones quickly), which also keep consent fresh.</summary>
    private async Task KeepConsentAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; !cancellationToken.IsCancellationRequested; i++)
        {
            try
            {
                Transmit(BindingRequest());
                await Task.Delay(i < 5 ? 100 : 2000, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
        }
    }

    private byte[] BindingRequest()
    {
        byte[] username = Encoding.ASCII.GetBytes($"{_serverUfrag}:{_ice.Ufrag}");
        int usernamePadded = (username.Length + 3) & ~3;
        var packet = new byte[20 + 4 + usernamePadded + 4 + 12 + 24 + 8];
        BinaryPrimitives.WriteUInt16BigEndian(packet, StunMessage.BindingRequest);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), StunMessage.MagicCookie);
        RandomNumberGenerator.Fill(packet.AsSpan(8, 12));
        int offset = 20;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset), StunAttribute.Username);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset + 2), (ushort)username.Length);
        username.CopyTo(packet, offset + 4);
        offset += 4 + usernamePadded;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset), StunAttribute.UseCandidate);
        offset += 4;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset), StunAttribute.IceControlling);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset + 2), 8);
        RandomNumberGenerator.Fill(packet.AsSpan(offset + 4, 8));
        offset += 12;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset), StunAttribute.MessageIntegrity);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset + 2), 20);
        StunMessage.ComputeIntegrity(packet.AsSpan(0, offset), _serverPassword, packet.AsSpan(offset + 4, 20));
        offset += 24;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset), StunAttribute.Fingerprint);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset + 2), 4);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(offset + 4), StunMessage.Fingerprint(packet.AsSpan(0, offset)));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)(packet.Length - 20));
        return packet;
    }

    /// <summary>
    /// Reads what arrives without a thread of its own (a benchmark runs a thousand clients in one process: a thread each
    /// would take the machine's time from the server under test). On Linux with GRO: a zero-byte peek waits for the
    /// socket, then each read takes a whole GSO message the server sent (<see cref="UdpGroReceiver"/>).
    /// </summary>
    private async Task ReceiveLoopAsync()
    {
        var gro = UdpGroReceiver.TryCreate(_socket);
        if (gro is not null && ReceivePump is { } pump && pump.TryAdd(_socket, () => Drain(gro)))
        {
            _pump = pump;
            return;
        }

        var buffer = gro is null ? new byte[2048] : [];
        while (!_closed.IsCancellationRequested)
        {
            try
            {
                await WhileReadingPausedAsync().ConfigureAwait(false);
                if (gro is null)
                {
                    int length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _closed.Token).ConfigureAwait(false);
                    Handle(buffer.AsSpan(0, length));
                    continue;
                }

                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.Peek, _closed.Token).ConfigureAwait(false);
                Drain(gro);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                if (_closed.IsCancellationRequested || ex is ObjectDisposedException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Reads every GSO message queued on the socket, without waiting, and handles its datagrams.</summary>
    private void Drain(UdpGroReceiver gro)
    {
        while (gro.TryReceive())
        {
            _lastRead = (gro.ReceivedLength, gro.DatagramLength);
            for (int offset = 0; offset < gro.ReceivedLength; offset += gro.DatagramLength)
            {
                Handle(gro.Received[offset..Math.Min(offset + gro.DatagramLength, gro.ReceivedLength)]);
            }
        }
    }

    /// <summary>One datagram: DTLS to the handshake, media decrypted (one in <see cref="VerifyEvery"/>) and counted.</summary>
    private void Handle(Span<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return;
        }

        if (packet[0] is >= 20 and <= 63)
        {
            _dtls.TryAdd(packet.ToArray());
        }
        else if (packet[0] is >= 128 and <= 191 && RtpHeader.IsRtcp(packet))
        {
            if (RtcpReceived is { } rtcpReceived && _inbound is { } rtcpInbound && rtcpInbound.TryUnprotectRtcp(packet, out int plainRtcp))
            {
                rtcpReceived(packet[..plainRtcp]);
            }

            Interlocked.Increment(ref _rtcpPackets);
        }
        else if (packet[0] is >= 128 and <= 191 && _inbound is { } inbound)
        {
            if (Lose is { } lose && packet.Length >= RtpHeader.FixedLength && lose(RtpHeader.PayloadType(packet), RtpHeader.SequenceNumber(packet)))
            {
                return;
            }

            int plain;
            if (++_media % VerifyEvery == 0)
            {
                ushort seq = RtpHeader.SequenceNumber(packet);
                if (!inbound.TryUnprotectRtp(packet, out plain))
                {
                    FirstRejection ??= $"payload type {RtpHeader.PayloadType(packet)}, sequence {seq}, {packet.Length} bytes" +
                        (_lastRead.Bytes > 0 ? $", from a {_lastRead.Bytes}-byte read cut every {_lastRead.Datagram}" : "");
                    Interlocked.Increment(ref _rejected);
                    return;
                }

                RtpReceived?.Invoke(packet[..plain]);
            }
            else if (RtpHeader.TryGetLength(packet, out int header) && packet.Length >= header + inbound.Profile.TagLength())
            {
                plain = packet.Length - inbound.Profile.TagLength(); // header and payload, as TryUnprotectRtp reports them
            }
            else
            {
                return;
            }

            Interlocked.Add(ref _bytes, plain);
            Interlocked.Increment(ref IsVideo(RtpHeader.PayloadType(packet)) ? ref _videoPackets : ref _audioPackets);
        }
    }

    /// <summary>Whether a payload type of what arrives is video (for the counts).</summary>
    protected virtual bool IsVideo(int payloadType) => payloadType == 102;

    public int GetReceiveLimit() => 1500;

    public int GetSendLimit() => 1200;

    public int Receive(byte[] buf, int off, int len, int waitMillis)
    {
        if (!_dtls.TryTake(out var record, waitMillis))
        {
            return -1;
        }

        int length = Math.Min(len, record.Length);
        record.AsSpan(0, length).CopyTo(buf.AsSpan(off));
        return length;
    }

    public void Send(byte[] buf, int off, int len) => Transmit(buf.AsSpan(off, len));

    public void Close()
    {
    }
}
