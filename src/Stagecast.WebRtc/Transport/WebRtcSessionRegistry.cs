using System.Collections.Concurrent;
using System.Net;
using Stagecast.Streaming.Limits;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// The sessions on the shared port, found by ICE ufrag (binding requests), by resource id (HTTP), and by the UDP
/// address a validated path comes from (DTLS and SRTP). Admission: at most <see cref="WebRtcOptions.MaxSessions"/>,
/// and <see cref="WebRtcOptions.MaxSessionsPerAddress"/> per HTTP client address.
/// </summary>
public sealed class WebRtcSessionRegistry(WebRtcOptions options)
{
    private readonly ConcurrentDictionary<string, WebRtcSession> _byUfrag = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WebRtcSession> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IPEndPoint, WebRtcSession> _byAddress = new();
    private readonly AddressCounts _perAddress = new();
    private long _refused;

    public int Count => _byUfrag.Count;

    public ICollection<WebRtcSession> Sessions => _byUfrag.Values;

    /// <summary>Sessions refused because the server or the client's address had as many as allowed.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Adds a session; false when the server or the client's address already has as many as allowed.</summary>
    public bool TryRegister(WebRtcSession peer)
    {
        if (_byUfrag.Count >= options.MaxSessions || !_perAddress.TryAdd(peer.ClientAddress, options.MaxSessionsPerAddress))
        {
            Interlocked.Increment(ref _refused);
            return false;
        }

        _byUfrag[peer.Ice.Credentials.Ufrag] = peer;
        _byId[peer.Id] = peer;
        return true;
    }

    public void Unregister(WebRtcSession peer)
    {
        _byId.TryRemove(new KeyValuePair<string, WebRtcSession>(peer.Id, peer));
        if (_byUfrag.TryRemove(new KeyValuePair<string, WebRtcSession>(peer.Ice.Credentials.Ufrag, peer)))
        {
            _perAddress.Remove(peer.ClientAddress);
        }

        foreach (var path in peer.Ice.Paths)
        {
            switch (path)
            {
                case UdpPath udp:
                    _byAddress.TryRemove(new KeyValuePair<IPEndPoint, WebRtcSession>(udp.EndPoint, peer));
                    break;
                case IceTcpConnection tcp:
                    tcp.Dispose();
                    break;
            }
        }
    }

    /// <summary>A path passed a session's binding check: UDP packets from there now reach it.</summary>
    public void Route(WebRtcSession peer, IcePath path)
    {
        if (path is UdpPath udp)
        {
            _byAddress[udp.EndPoint] = peer;
        }
    }

    public WebRtcSession? FindByUfrag(string ufrag) => _byUfrag.GetValueOrDefault(ufrag);

    /// <summary>The session with this id (the last segment of its WHIP or WHEP resource URL), if it is open.</summary>
    public WebRtcSession? Find(string id) => _byId.GetValueOrDefault(id);

    public WebRtcSession? FindByAddress(IPEndPoint endPoint) => _byAddress.GetValueOrDefault(endPoint);
}
