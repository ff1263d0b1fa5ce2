using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stagecast.Streaming;
using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// The WebRTC media plane, composed as pion composes a peer connection: one UDP port (<see cref="UdpMux"/>) and ICE
/// over TCP (<see cref="IceTcpListener"/>) demultiplexed by first byte, the <see cref="WebRtcSessionRegistry"/> they route
/// to, and a timer that drops sessions that never connected or lost consent. Sessions do their own ICE-lite, DTLS and
/// SRTP; media is WHIP's and WHEP's.
/// </summary>
public sealed class WebRtcTransport : IHostedService, IDisposable
{
    private readonly UdpMux _udp;
    private readonly IceTcpListener _tcp;
    private readonly DemandTimer _checks;
    private readonly Lazy<DtlsCertificate> _certificate;
    private long _sessionsPastDeadline;
    private long _layerSwitches;
    private long _videoPauses;

    public WebRtcTransport(IOptions<WebRtcOptions> options, TimeProvider time, ILogger<WebRtcTransport> logger)
    {
        Options = options.Value;
        Time = time;
        Log = new WebRtcLog(logger);
        // Made with the first session: a server that never sees WebRTC neither loads nor runs the DTLS code.
        _certificate = new Lazy<DtlsCertificate>(() => DtlsCertificate.Create(time));
        Registry = new WebRtcSessionRegistry(Options);
        _checks = new DemandTimer(time, TimeSpan.FromSeconds(1), CheckSessions, () => Registry.Count > 0);
        _udp = new UdpMux(Registry, Log, stampArrivals: Options.CongestionControl);
        Workers = new MediaWorkers(this);
        _tcp = new IceTcpListener(Registry, Options, time);
    }

    public WebRtcOptions Options { get; }

    public TimeProvider Time { get; }

    public DtlsCertificate Certificate => _certificate.Value;

    public WebRtcSessionRegistry Registry { get; }

    /// <summary>The threads publishing sessions' RTP is received on.</summary>
    internal MediaWorkers Workers { get; }

    /// <summary>Publishers' RTP packets dropped because the server could not keep up with them (their media worker's queue was full).</summary>
    public long MediaDropped => Workers.Dropped;

    internal WebRtcLog Log { get; }

    /// <summary>The UDP port actually bound (differs from the option when it was 0).</summary>
    public int Port => _udp.Port;

    /// <summary>A batch of datagrams for the shared UDP socket, for one thread to fill and flush.</summary>
    public UdpBatch CreateBatch() => new(_udp.Socket);

    /// <summary>The ICE-TCP port bound, or 0 when ICE-TCP is off.</summary>
    public int TcpPort => _tcp.Port;

    public int SessionCount => Registry.Count;

    public ICollection<WebRtcSession> Sessions => Registry.Sessions;

    /// <summary>Sessions refused because the server or the client's address had as many as allowed.</summary>
    public long RefusedSessions => Registry.Refused;

    /// <summary>Sessions dropped because ICE and DTLS did not complete within the connect deadline.</summary>
    public long SessionsPastDeadline => Interlocked.Read(ref _sessionsPastDeadline);

    /// <summary>Times a subscriber's video consumer moved to another simulcast layer while forwarding.</summary>
    public long LayerSwitches => Interlocked.Read(ref _layerSwitches);

    /// <summary>Times a subscriber's video consumer was paused because its connection could not carry it.</summary>
    public long VideoPauses => Interlocked.Read(ref _videoPauses);

    internal void CountLayerSwitch() => Interlocked.Increment(ref _layerSwitches);

    internal void CountVideoPause() => Interlocked.Increment(ref _videoPauses);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _udp.Start(Options.GetBindAddress(), Options.Port);
        if (Options.TcpPort != 0)
        {
            // The UDP port's number, unless configured; with an ephemeral UDP port (0, as in tests) an ephemeral TCP one
            // too, since the number the UDP socket got may be taken for TCP.
            _tcp.Start(Options.GetBindAddress(), Options.TcpPort ?? (Options.Port == 0 ? 0 : Port));
        }

        Log.Listening(Port);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _checks.Dispose();
        foreach (var peer in Registry.Sessions)
        {
            peer.Close("the server is shutting down");
        }

        Workers.Dispose();
        _udp.Dispose();
        _tcp.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _checks.Dispose();
        Workers.Dispose();
        _udp.Dispose();
        _tcp.Dispose();
    }

    /// <summary>The session with this id (the last segment of its WHIP or WHEP resource URL), if it is open.</summary>
    public WebRtcSession? Find(string id) => Registry.Find(id);

    /// <summary>Adds a session; false when the server or the client's address already has as many as allowed.</summary>
    public bool TryRegister(WebRtcSession peer)
    {
        if (!Registry.TryRegister(peer))
        {
            return false;
        }

        _checks.Start();
        return true;
    }

    internal void Unregister(WebRtcSession peer) => Registry.Unregister(peer);

    /// <summary>
    /// The candidates an answer lists: host addresses (unless turned off: the bound address, or when every address is
    /// bound, the one the request came to and the interfaces') and the configured public ones.
    /// </summary>
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

        if (Options.HostCandidates && !Options.GetBindAddress().Equals(IPAddress.Any))
        {
            addresses.Add(Options.GetBindAddress());
        }
        else if (Options.HostCandidates)
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

    /// <summary>Every second while there are sessions: sessions past the connect deadline, or whose peer stopped giving consent, are closed.</summary>
    private void CheckSessions()
    {
        foreach (var peer in Registry.Sessions)
        {
            if (peer.Ice.Expired(peer.IsConnected, Options.ConnectDeadline, Options.ConsentTimeout) is { } reason)
            {
                if (!peer.IsConnected)
                {
                    Interlocked.Increment(ref _sessionsPastDeadline);
                }

                peer.Close(reason);
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
