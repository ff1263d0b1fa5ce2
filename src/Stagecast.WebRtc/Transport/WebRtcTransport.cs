using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stagecast.Streaming.Limits;
using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Ice;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// The WebRTC media plane's one UDP socket. Packets are told apart by their first byte (RFC 7983): STUN (0-3) binding
/// requests are checked against the session their USERNAME names, with MESSAGE-INTEGRITY, before anything is stored or
/// answered; DTLS (20-63) and SRTP/SRTCP (128-191) are accepted only from an address a session's valid binding request
/// came from. A timer drops sessions whose peer stopped refreshing consent, or never connected.
/// </summary>
public sealed class WebRtcTransport : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, WebRtcPeer> _byUfrag = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WebRtcPeer> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IPEndPoint, WebRtcPeer> _byAddress = new();
    private readonly ConcurrentDictionary<IceTcpConnection, byte> _tcpConnections = new();
    private readonly ConcurrentDictionary<string, Whip.WhipSession> _publishers = new(StringComparer.Ordinal);
    private readonly AddressCounts _perAddress = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _refusedSessions;
    private long _sessionsPastDeadline;
    private Socket? _socket;
    private Socket? _tcpListener;
    private Task? _receiveLoop;
    private ITimer? _consentTimer;

    public WebRtcTransport(IOptions<WebRtcOptions> options, TimeProvider time, ILogger<WebRtcTransport> logger)
    {
        Options = options.Value;
        Time = time;
        Log = new WebRtcLog(logger);
        Certificate = DtlsCertificate.Create(time);
    }

    public WebRtcOptions Options { get; }

    public TimeProvider Time { get; }

    public DtlsCertificate Certificate { get; }

    internal WebRtcLog Log { get; }

    /// <summary>The UDP port actually bound (differs from the option when it was 0).</summary>
    public int Port { get; private set; }

    /// <summary>The ICE-TCP port bound, or 0 when ICE-TCP is off.</summary>
    public int TcpPort { get; private set; }

    public int SessionCount => _byUfrag.Count;

    /// <summary>Sessions refused because the server or the client's address had as many as allowed.</summary>
    public long RefusedSessions => Interlocked.Read(ref _refusedSessions);

    /// <summary>Sessions dropped because ICE and DTLS did not complete within the connect deadline.</summary>
    public long SessionsPastDeadline => Interlocked.Read(ref _sessionsPastDeadline);

    public ICollection<WebRtcPeer> Sessions => _byUfrag.Values;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        socket.SendBufferSize = 4 * 1024 * 1024;
        socket.Bind(new IPEndPoint(IPAddress.Any, Options.Port));
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        _socket = socket;
        if (Options.TcpPort != 0)
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            // The UDP port's number, unless configured; with an ephemeral UDP port (0, as in tests) an ephemeral TCP one
            // too, since the number the UDP socket got may be taken for TCP.
            listener.Bind(new IPEndPoint(IPAddress.Any, Options.TcpPort ?? (Options.Port == 0 ? 0 : Port)));
            listener.Listen(128);
            TcpPort = ((IPEndPoint)listener.LocalEndPoint!).Port;
            _tcpListener = listener;
            _ = Task.Run(AcceptLoopAsync);
        }

        _receiveLoop = Task.Factory.StartNew(ReceiveLoop, TaskCreationOptions.LongRunning);
        _consentTimer = Time.CreateTimer(_ => CheckSessions(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Log.Listening(Port);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _consentTimer?.Dispose();
        foreach (var peer in _byUfrag.Values)
        {
            peer.Close("the server is shutting down");
        }

        _socket?.Close();
        _tcpListener?.Close();
        foreach (var connection in _tcpConnections.Keys)
        {
            connection.Dispose();
        }

        if (_receiveLoop is not null)
        {
            await _receiveLoop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _consentTimer?.Dispose();
        _socket?.Dispose();
        _tcpListener?.Dispose();
    }

    /// <summary>The candidates an answer lists: host addresses (unless turned off) and the configured public ones.</summary>
    public IReadOnlyList<IceCandidate> Candidates(IPAddress? requestLocalAddress)
    {
        var addresses = new List<IPAddress>();
        foreach (string text in Options.PublicIps)
        {
            if (IPAddress.TryParse(text, out var address))
            {
                addresses.Add(address);
            }
        }

        if (Options.HostCandidates)
        {
            if (requestLocalAddress is not null && !requestLocalAddress.Equals(IPAddress.Any))
            {
                addresses.Add(requestLocalAddress.IsIPv4MappedToIPv6 ? requestLocalAddress.MapToIPv4() : requestLocalAddress);
            }

            addresses.AddRange(HostAddresses());
        }

        var ipv4 = addresses.Distinct().Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToList();
        var candidates = new List<IceCandidate>();
        if (Options.UdpCandidates)
        {
            candidates.AddRange(ipv4.Select(a => new IceCandidate(a, Port, Tcp: false)));
        }

        if (TcpPort != 0)
        {
            candidates.AddRange(ipv4.Select(a => new IceCandidate(a, TcpPort, Tcp: true)));
        }

        return candidates;
    }

    /// <summary>The WHIP session publishing a stream now, if any: WHEP viewers take its RTP as it comes.</summary>
    public Whip.WhipSession? FindPublisher(string streamId) => _publishers.TryGetValue(streamId, out var session) && !session.IsClosed ? session : null;

    internal void AddPublisher(Whip.WhipSession session) => _publishers[session.StreamId] = session;

    internal void RemovePublisher(Whip.WhipSession session) =>
        _publishers.TryRemove(new KeyValuePair<string, Whip.WhipSession>(session.StreamId, session));

    /// <summary>The session with this id (the last segment of its WHIP or WHEP resource URL), if it is open.</summary>
    public WebRtcPeer? Find(string id) => _byId.TryGetValue(id, out var peer) ? peer : null;

    /// <summary>Adds a session; false when the server or the client's address already has as many as allowed.</summary>
    public bool TryRegister(WebRtcPeer peer)
    {
        if (_byUfrag.Count >= Options.MaxSessions || !_perAddress.TryAdd(peer.ClientAddress, Options.MaxSessionsPerAddress))
        {
            Interlocked.Increment(ref _refusedSessions);
            return false;
        }

        _byUfrag[peer.Ice.Ufrag] = peer;
        _byId[peer.Id] = peer;
        return true;
    }

    internal void Unregister(WebRtcPeer peer)
    {
        _byId.TryRemove(new KeyValuePair<string, WebRtcPeer>(peer.Id, peer));
        if (_byUfrag.TryRemove(new KeyValuePair<string, WebRtcPeer>(peer.Ice.Ufrag, peer)))
        {
            _perAddress.Remove(peer.ClientAddress);
        }

        foreach (var path in peer.Paths)
        {
            switch (path)
            {
                case UdpPath udp:
                    _byAddress.TryRemove(new KeyValuePair<IPEndPoint, WebRtcPeer>(udp.EndPoint, peer));
                    break;
                case IceTcpConnection tcp:
                    tcp.Dispose();
                    break;
            }
        }
    }

    /// <summary>A path passed a peer's binding check: UDP packets from there now reach it.</summary>
    internal void Route(WebRtcPeer peer, IcePath path)
    {
        if (path is UdpPath udp)
        {
            _byAddress[udp.EndPoint] = peer;
        }
    }

    internal void OnTcpClosed(IceTcpConnection connection)
    {
        _tcpConnections.TryRemove(connection, out _);
        if (connection.Peer is { } peer && ReferenceEquals(peer.Remote, connection))
        {
            peer.Close("its ICE-TCP connection closed");
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _tcpListener!.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                if (_stopping.IsCancellationRequested || ex is ObjectDisposedException)
                {
                    return;
                }

                continue;
            }

            if (_tcpConnections.Count >= Options.MaxSessions * 2)
            {
                socket.Dispose(); // connections beyond what sessions could use are refused
                continue;
            }

            socket.NoDelay = true;
            var connection = new IceTcpConnection(socket, this);
            _tcpConnections[connection] = 0;
            _ = Task.Run(connection.RunAsync);
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            int length;
            try
            {
                length = _socket!.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            WebRtcMetrics.PacketReceivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                var endPoint = (IPEndPoint)from;
                if (buffer[0] <= 3 && length > 0)
                {
                    HandleStun(buffer.AsSpan(0, length), new UdpPath(_socket!, endPoint));
                }
                else if (_byAddress.TryGetValue(endPoint, out var peer))
                {
                    Deliver(peer, buffer, length, peer.Remote is { } remote && remote.EndPoint.Equals(endPoint) ? null : new UdpPath(_socket!, endPoint));
                }
            }
            catch (Exception ex)
            {
                Log.PacketFailed(ex, from.ToString() ?? "-");
            }
        }
    }

    /// <summary>A packet from an ICE-TCP connection: STUN is checked like UDP's, the rest goes to the session it chose.</summary>
    internal void Dispatch(byte[] buffer, int length, IceTcpConnection connection)
    {
        WebRtcMetrics.PacketReceivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        if (buffer[0] <= 3)
        {
            HandleStun(buffer.AsSpan(0, length), connection);
        }
        else if (connection.Peer is { } peer && peer.Paths.Contains(connection))
        {
            Deliver(peer, buffer, length, ReferenceEquals(peer.Remote, connection) ? null : connection);
        }
    }

    /// <summary>
    /// DTLS (20-63) and SRTP/SRTCP (128-191) for a session; anything else in RFC 7983's map is dropped.
    /// <paramref name="other"/> is the validated path it came on when that is not the one we send on.
    /// </summary>
    private static void Deliver(WebRtcPeer peer, byte[] buffer, int length, IcePath? other)
    {
        byte first = buffer[0];
        if (first is >= 20 and <= 63)
        {
            if (DtlsSession.IsRecord(buffer.AsSpan(0, length)))
            {
                peer.OnDtls(buffer.AsSpan(0, length), other);
            }
        }
        else if (first is >= 128 and <= 191)
        {
            peer.OnSrtp(buffer, length, other);
        }
    }

    private void HandleStun(ReadOnlySpan<byte> packet, IcePath from)
    {
        if (!StunMessage.TryParse(packet, out var message) || message.Type != StunMessage.BindingRequest
            || !message.TryGetAttribute(StunAttribute.Username, out var username))
        {
            return;
        }

        // USERNAME is "<our ufrag>:<their ufrag>" (RFC 8445 section 7.2.2)
        int colon = username.IndexOf((byte)':');
        if (colon <= 0 || colon > 64)
        {
            return;
        }

        string ufrag = Encoding.ASCII.GetString(username[..colon]);
        if (!_byUfrag.TryGetValue(ufrag, out var peer) || !message.VerifyIntegrity(peer.Ice.PasswordBytes) || !message.VerifyFingerprint()
            || !username[(colon + 1)..].SequenceEqual(Encoding.ASCII.GetBytes(peer.RemoteUfrag)))
        {
            return;
        }

        if (from is IceTcpConnection tcp)
        {
            tcp.Peer ??= peer;
            if (!ReferenceEquals(tcp.Peer, peer))
            {
                return; // one ICE-TCP connection serves one session
            }
        }

        peer.OnBinding(from, message.HasAttribute(StunAttribute.UseCandidate));
        Span<byte> response = stackalloc byte[StunWriter.MaxResponseLength];
        int written = StunWriter.WriteBindingSuccess(response, message.TransactionId, from.EndPoint, peer.Ice.PasswordBytes);
        from.Send(response[..written]);
    }

    private void CheckSessions()
    {
        foreach (var peer in _byUfrag.Values)
        {
            if (!peer.IsConnected && Time.GetElapsedTime(peer.CreatedAt) > Options.ConnectDeadline)
            {
                Interlocked.Increment(ref _sessionsPastDeadline);
                peer.Close("ICE and DTLS did not complete in time");
            }
            else if (peer.IsConnected && Time.GetElapsedTime(peer.LastConsent) > Options.ConsentTimeout)
            {
                peer.Close($"no consent from the peer for {Options.ConsentTimeout.TotalSeconds:0} s");
            }
        }
    }

    private static IEnumerable<IPAddress> HostAddresses()
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up)
            {
                continue;
            }

            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.AddressFamily == AddressFamily.InterNetwork)
                {
                    yield return unicast.Address;
                }
            }
        }
    }
}
