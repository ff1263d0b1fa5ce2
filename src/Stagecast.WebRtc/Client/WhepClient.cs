using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Tls;
using Org.BouncyCastle.Security;
using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Ice;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Srtp;

namespace Stagecast.WebRtc.Client;

/// <summary>
/// A minimal WHEP viewer over UDP on Stagecast's own stack, for tests and the benchmark: it offers recvonly H.264 and
/// Opus, acts as ICE controlling agent (binding requests with USE-CANDIDATE, repeated for consent) and DTLS client,
/// then decrypts and counts what arrives. It does not decode, so thousands fit on a machine.
/// </summary>
public sealed class WhepClient : IAsyncDisposable, DatagramTransport
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IceCredentials _ice = IceCredentials.Create();
    private readonly DtlsCertificate _certificate;
    private readonly BlockingCollection<byte[]> _dtls = new(64);
    private readonly CancellationTokenSource _closed = new();
    private string _serverUfrag = "";
    private byte[] _serverPassword = [];
    private SrtpContext? _inbound;
    private long _videoPackets;
    private long _audioPackets;
    private long _bytes;

    private WhepClient(DtlsCertificate certificate) => _certificate = certificate;

    public long VideoPackets => Interlocked.Read(ref _videoPackets);

    public long AudioPackets => Interlocked.Read(ref _audioPackets);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Where the session lives on the server (its Location), for DELETE.</summary>
    public string? Location { get; private set; }

    /// <summary>Offers to <paramref name="whepUrl"/>, connects, and returns once DTLS is done. <paramref name="fingerprint"/> overrides what the offer claims (tests).</summary>
    public static Task<WhepClient> ConnectAsync(HttpClient http, string whepUrl, DtlsCertificate certificate, string? fingerprint = null, CancellationToken cancellationToken = default) =>
        StartAsync(http, whepUrl, certificate, fingerprint ?? certificate.Fingerprint, dtls: true, cancellationToken);

    /// <summary>
    /// A client that stalls: it offers and keeps ICE alive (binding requests) but never starts DTLS, as a hostile or
    /// broken peer would. The server must drop the session at its connect deadline (tests, the soak's hostile waves).
    /// </summary>
    public static Task<WhepClient> OfferWithoutDtlsAsync(HttpClient http, string whepUrl, DtlsCertificate certificate, CancellationToken cancellationToken = default) =>
        StartAsync(http, whepUrl, certificate, certificate.Fingerprint, dtls: false, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _closed.Cancel();
        _socket.Dispose();
        await Task.Yield();
    }

    private static async Task<WhepClient> StartAsync(HttpClient http, string whepUrl, DtlsCertificate certificate, string fingerprint, bool dtls, CancellationToken cancellationToken)
    {
        var client = new WhepClient(certificate);
        try
        {
            await client.ConnectAsync(http, whepUrl, fingerprint, dtls, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ConnectAsync(HttpClient http, string whepUrl, string fingerprint, bool dtls, CancellationToken cancellationToken)
    {
        string offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" +
            $"m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:{_ice.Ufrag}\r\na=ice-pwd:{_ice.Password}\r\n" +
            $"a=fingerprint:sha-256 {fingerprint}\r\na=setup:active\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n" +
            "a=rtpmap:102 H264/90000\r\na=rtcp-fb:102 nack\r\na=rtcp-fb:102 nack pli\r\n" +
            "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n" +
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";
        using var response = await http.PostAsync(whepUrl, new StringContent(offer, Encoding.UTF8, "application/sdp"), cancellationToken).ConfigureAwait(false);
        string answer = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new WebRtcProtocolException($"WHEP answered {(int)response.StatusCode}: {answer}");
        }

        Location = response.Headers.Location?.ToString();
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
            else if (line.StartsWith("a=candidate:", StringComparison.Ordinal) && line.Split(' ') is { Length: > 5 } parts && parts[2] == "udp")
            {
                var address = IPAddress.Parse(parts[4]);
                if (candidate is null || IPAddress.IsLoopback(address))
                {
                    candidate = new IPEndPoint(address, int.Parse(parts[5], System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        _socket.Connect(candidate ?? throw new WebRtcProtocolException("the answer has no UDP candidate"));
        _ = Task.Factory.StartNew(ReceiveLoop, TaskCreationOptions.LongRunning);
        _ = Task.Run(() => KeepConsentAsync(_closed.Token), CancellationToken.None);
        if (dtls)
        {
            await HandshakeAsync(serverFingerprint, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task HandshakeAsync(byte[] serverFingerprint, CancellationToken cancellationToken)
    {
        var dtls = new DtlsSrtpClient(_certificate, serverFingerprint);
        await Task.Factory.StartNew(() => new DtlsClientProtocol(new SecureRandom()).Connect(dtls, this), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        var material = dtls.KeyingMaterial!.AsSpan();
        int key = SrtpProfileExtensions.KeyLength;
        int salt = dtls.Profile.SaltLength();
        _inbound = new SrtpContext(dtls.Profile, material.Slice(key, key), material.Slice((2 * key) + salt, salt)); // the server's keys
    }

    /// <summary>Binding requests every 2 s (the first ones quickly), which also keep consent fresh.</summary>
    private async Task KeepConsentAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; !cancellationToken.IsCancellationRequested; i++)
        {
            try
            {
                _socket.Send(BindingRequest());
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

    private void ReceiveLoop()
    {
        var buffer = new byte[2048];
        while (!_closed.IsCancellationRequested)
        {
            int length;
            try
            {
                length = _socket.Receive(buffer);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                if (_closed.IsCancellationRequested || ex is ObjectDisposedException)
                {
                    return;
                }

                continue;
            }

            if (length == 0)
            {
                continue;
            }

            if (buffer[0] is >= 20 and <= 63)
            {
                _dtls.TryAdd(buffer[..length]);
            }
            else if (buffer[0] is >= 128 and <= 191 && _inbound is { } inbound && !RtpHeader.IsRtcp(buffer.AsSpan(0, length))
                && inbound.TryUnprotectRtp(buffer.AsSpan(0, length), out int plain))
            {
                Interlocked.Add(ref _bytes, plain);
                Interlocked.Increment(ref RtpHeader.PayloadType(buffer) == 102 ? ref _videoPackets : ref _audioPackets);
            }
        }
    }

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

    public void Send(byte[] buf, int off, int len) => _socket.Send(buf.AsSpan(off, len));

    public void Close()
    {
    }
}
