using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Stagecast.Rtmp.Server;

/// <summary>
/// RTMP over TLS on a listener of its own: a connection is admitted (the caps per address and in total) before its TLS
/// handshake, which must end within the RTMP set-up deadline, so a flood of handshakes costs what a flood of plain
/// connections does; the session after it is RTMP's, unchanged.
/// </summary>
public static class RtmpsListen
{
    /// <summary>Set on a connection admitted ahead of TLS, so the RTMP handler does not admit it twice.</summary>
    internal const string AdmittedAddress = "stagecast.rtmp.admitted";

    public static void UseRtmps(this ListenOptions listen, TlsHandshakeCallbackOptions tls)
    {
        var admission = listen.ApplicationServices.GetRequiredService<RtmpAdmission>();
        var handler = listen.ApplicationServices.GetRequiredService<RtmpConnectionHandler>();
        listen.Use(next => async connection =>
        {
            string address = connection.RemoteEndPoint is IPEndPoint endpoint ? endpoint.Address.ToString() : connection.ConnectionId;
            if (handler.Refuse(connection, address))
            {
                return;
            }

            connection.Items[AdmittedAddress] = address;
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                admission.Leave(address);
            }
        });
        listen.UseHttps(tls);
        listen.UseRtmp();
    }
}
