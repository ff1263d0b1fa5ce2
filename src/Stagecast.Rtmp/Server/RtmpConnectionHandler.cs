using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stagecast.Rtmp.Sessions;
using Stagecast.Streaming;
using Stagecast.Streaming.Logging;

namespace Stagecast.Rtmp.Server;

/// <summary>
/// Hosts RTMP in Kestrel, in the same process and DI container as HTTP: one session per connection, admitted
/// within the connection caps and the buffer budget (<see cref="RtmpAdmission"/>).
/// </summary>
public sealed class RtmpConnectionHandler(
    StreamHub hub,
    IPublishAuthorizer authorizer,
    IOptions<RtmpServerOptions> options,
    RtmpAdmission admission,
    RtmpSessionWatchdog watchdog,
    TimeProvider time,
    ILogger<RtmpServerSession> logger) : ConnectionHandler
{
    private readonly LogLimiter _refusals = new(time);

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        string remote = connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId;
        string address = connection.RemoteEndPoint is IPEndPoint endpoint ? endpoint.Address.ToString() : remote;
        bool admitted = connection.Items.ContainsKey(RtmpsListen.AdmittedAddress); // RTMPS: admitted before its TLS handshake
        if (!admitted && Refuse(connection, address))
        {
            return;
        }

        try
        {
            // A closed or aborted connection ends the session through its input; only shutdown needs a token: the
            // hub's, signalled after it has ended every stream, so publishers are not taken for dropped ones.
            // RTMPS (RtmpsListen) ends TLS in front of this handler: its publishers say rtmps.
            bool overTls = connection.Features.Get<ITlsHandshakeFeature>() is not null;
            var session = new RtmpServerSession(connection.Transport, hub, authorizer, options.Value, time, watchdog, logger, remote, admission, _refusals, overTls);
            await session.RunAsync(hub.ShuttingDown).ConfigureAwait(false);
        }
        finally
        {
            if (!admitted)
            {
                admission.Leave(address);
            }
        }
    }

    /// <summary>
    /// Admits a connection within the caps, or closes it and logs why (rate-limited): true when refused. An admitted
    /// connection must be <see cref="RtmpAdmission.Leave"/>d.
    /// </summary>
    internal bool Refuse(ConnectionContext connection, string address)
    {
        if (admission.TryAdmit(address) is not { } refusal)
        {
            return false;
        }

        if (_refusals.TryLog(out long suppressed))
        {
            if (suppressed > 0)
            {
                RtmpLog.Suppressed(logger, suppressed);
            }

            RtmpLog.Refused(logger, connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId, refusal);
        }

        connection.Abort(new ConnectionAbortedException(refusal));
        return true;
    }
}
