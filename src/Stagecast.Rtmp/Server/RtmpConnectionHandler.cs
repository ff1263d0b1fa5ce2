using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stagecast.Rtmp.Sessions;
using Stagecast.Streaming;

namespace Stagecast.Rtmp.Server;

/// <summary>Hosts RTMP in Kestrel, in the same process and DI container as HTTP: one session per connection.</summary>
public sealed class RtmpConnectionHandler(
    StreamHub hub,
    IPublishAuthorizer authorizer,
    IOptions<RtmpServerOptions> options,
    TimeProvider time,
    ILogger<RtmpServerSession> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        // A closed or aborted connection ends the session through its input; only shutdown needs a token: the hub's,
        // signalled after it has ended every stream, so publishers are not taken for dropped ones.
        string remote = connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId;
        var session = new RtmpServerSession(connection.Transport, hub, authorizer, options.Value, time, logger, remote);
        await session.RunAsync(hub.ShuttingDown).ConfigureAwait(false);
    }
}
