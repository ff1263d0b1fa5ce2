using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
    private readonly ConcurrentDictionary<string, int> _perAddress = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
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

    public int SessionCount => _byUfrag.Count;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        socket.SendBufferSize = 4 * 1024 * 1024;
        socket.Bind(new IPEndPoint(IPAddress.Any, Options.Port));
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        _socket = socket;
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

        return [.. addresses.Distinct().Where(a => a.AddressFamily == AddressFamily.InterNetwork).Select(a => new IceCandidate(a, Port, Tcp: false))];
    }

    /// <summary>The session with this id (the last segment of its WHIP or WHEP resource URL), if it is open.</summary>
    public WebRtcPeer? Find(string id) => _byId.TryGetValue(id, out var peer) ? peer : null;

    /// <summary>Adds a session; false when the server or the client's address already has as many as allowed.</summary>
    public bool TryRegister(WebRtcPeer peer)
    {
        if (_byUfrag.Count >= Options.MaxSessions)
        {
            return false;
        }

        int count = _perAddress.AddOrUpdate(peer.ClientAddress, 1, (_, n) => n + 1);
        if (count > Options.MaxSessionsPerAddress)
        {
            Release(peer.ClientAddress);
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
            Release(peer.ClientAddress);
        }

        if (peer.Remote is { } remote)
        {
            _byAddress.TryRemove(new KeyValuePair<IPEndPoint, WebRtcPeer>(remote, peer));
        }
    }

    internal void Route(WebRtcPeer peer, IPEndPoint? previous, IPEndPoint current)
    {
        if (previous is not null)
        {
            _byAddress.TryRemove(new KeyValuePair<IPEndPoint, WebRtcPeer>(previous, peer));
        }

        _byAddress[current] = peer;
    }

    internal void Send(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        try
        {
            _socket?.SendTo(datagram, SocketFlags.None, remote);
        }
        catch (SocketException)
        {
            // ICMP unreachable or a full buffer: UDP loses the packet, consent catches a peer that is gone
        }
        catch (ObjectDisposedException)
        {
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

            try
            {
                Dispatch(buffer, length, (IPEndPoint)from);
            }
            catch (Exception ex)
            {
                Log.PacketFailed(ex, from.ToString() ?? "-");
            }
        }
    }

    private void Dispatch(byte[] buffer, int length, IPEndPoint from)
    {
        if (length == 0)
        {
            return;
        }

        byte first = buffer[0];
        if (first <= 3)
        {
            HandleStun(buffer.AsSpan(0, length), from);
        }
        else if (first is >= 20 and <= 63)
        {
            if (_byAddress.TryGetValue(from, out var peer) && DtlsSession.IsRecord(buffer.AsSpan(0, length)))
            {
                peer.OnDtls(buffer.AsSpan(0, length));
            }
        }
        else if (first is >= 128 and <= 191)
        {
            if (_byAddress.TryGetValue(from, out var peer))
            {
                peer.OnSrtp(buffer, length);
            }
        }
    }

    private void HandleStun(ReadOnlySpan<byte> packet, IPEndPoint from)
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

        peer.OnBinding(from, message.HasAttribute(StunAttribute.UseCandidate));
        Span<byte> response = stackalloc byte[StunWriter.MaxResponseLength];
        int written = StunWriter.WriteBindingSuccess(response, message.TransactionId, from, peer.Ice.PasswordBytes);
        Send(response[..written], from);
    }

    private void CheckSessions()
    {
        foreach (var peer in _byUfrag.Values)
        {
            if (!peer.IsConnected && Time.GetElapsedTime(peer.CreatedAt) > Options.ConnectDeadline)
            {
                peer.Close("ICE and DTLS did not complete in time");
            }
            else if (peer.IsConnected && Time.GetElapsedTime(peer.LastConsent) > Options.ConsentTimeout)
            {
                peer.Close($"no consent from the peer for {Options.ConsentTimeout.TotalSeconds:0} s");
            }
        }
    }

    private void Release(string address)
    {
        if (_perAddress.AddOrUpdate(address, 0, (_, n) => n - 1) <= 0)
        {
            _perAddress.TryRemove(new KeyValuePair<string, int>(address, 0));
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
