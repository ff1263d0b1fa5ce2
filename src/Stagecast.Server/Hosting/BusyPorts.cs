using System.Net;
using System.Net.Sockets;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Hosting;

/// <summary>
/// Which of the server's ports another program holds, for the one line a start that cannot listen prints: each port
/// is tried on its own, so the line names the busy one and its flag (a second server on one machine needs other
/// ports, <c>--webrtc-port 0</c> among them).
/// </summary>
public static class BusyPorts
{
    public static string Describe(ServerOptions server, Tls.HttpsOptions https, WebRtcOptions webRtc)
    {
        var busy = Ports(server, https, webRtc).Where(p => p.Port != 0 && !CanBind(p.Address, p.Port, p.Type)).ToList();
        if (busy.Count == 0)
        {
            return "a port was in use and is free again; try once more";
        }

        string list = string.Join(", ", busy.Select(p => $"{p.Type.ToString().ToUpperInvariant()} port {p.Port} ({p.Flag})"));
        return $"{list} {(busy.Count == 1 ? "is" : "are")} in use by another program: stop it, or choose another port with the flag "
            + "(a second Stagecast on this machine needs its own: --http-port, --rtmp-port, --metrics-bind, and --webrtc-port 0 for an ephemeral one)";
    }

    private static IEnumerable<(string Flag, IPAddress Address, int Port, ProtocolType Type)> Ports(ServerOptions server, Tls.HttpsOptions https, WebRtcOptions webRtc)
    {
        yield return ("--http-port", server.GetBindAddress(), server.HttpPort, ProtocolType.Tcp);
        if (https.Enabled)
        {
            yield return ("--https-port", server.GetBindAddress(), https.GetPort(), ProtocolType.Tcp);
            yield return ("--rtmps-port", server.GetBindAddress(), server.RtmpsPort ?? 1936, ProtocolType.Tcp);
        }

        yield return ("--rtmp-port", server.GetBindAddress(), server.RtmpPort, ProtocolType.Tcp);
        if (server.GetMetricsEndPoint() is { } metrics)
        {
            yield return ("--metrics-bind", metrics.Address, metrics.Port, ProtocolType.Tcp);
        }

        yield return ("--webrtc-port", webRtc.GetBindAddress(), webRtc.Port, ProtocolType.Udp);
        yield return (webRtc.TcpPort is null ? "--webrtc-port" : "--webrtc-tcp-port", webRtc.GetBindAddress(), webRtc.TcpPort ?? webRtc.Port, ProtocolType.Tcp);
    }

    private static bool CanBind(IPAddress address, int port, ProtocolType type)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, type == ProtocolType.Udp ? SocketType.Dgram : SocketType.Stream, type);
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
