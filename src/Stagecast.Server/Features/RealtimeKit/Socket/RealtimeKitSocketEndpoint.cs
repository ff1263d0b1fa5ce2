using System.Security.Claims;
using System.Text.RegularExpressions;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Realtime;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// <c>wss://socket-edge.{base}/ws?roomID=&amp;peerID=&amp;authToken=…</c>: RealtimeKit's socket, with the participant
/// token in its URL (never logged), for the token's own meeting.
/// </summary>
public static partial class RealtimeKitSocketEndpoint
{
    public static WebApplication MapRealtimeKitSocket(this WebApplication app)
    {
        var hosts = app.Services.GetRequiredService<RealtimeKitHosts>();
        app.MapGet("/ws", HandleAsync)
            .RequireHost(hosts.Socket)
            .RequireAuthorization(ParticipantAuthenticationHandler.Policy)
            .WithTags("RealtimeKit client")
            .WithSummary("RealtimeKit's socket: binary protobuf messages, authenticated with a participant token (?authToken=)");
        return app;
    }

    private static async Task HandleAsync(HttpContext context, RealtimeKitServices services, string? roomID, string? peerID)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ApiException.BadRequest("this endpoint is a WebSocket: connect with an Upgrade: websocket request");
        }

        if (peerID is null || !PeerIdPattern().IsMatch(peerID))
        {
            throw ApiException.BadRequest("peerID must be the client's id for itself: 1 to 64 letters, digits, '-' or '_'");
        }

        if (roomID is not null && roomID != context.User.FindFirstValue(ParticipantAuthenticationHandler.MeetingClaim))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "this participant token is for another meeting");
        }

        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var connection = new RealtimeConnection(socket, services.Options, services.Time, System.Net.WebSockets.WebSocketMessageType.Binary, RealtimeKitServices.MaxMessageBytes);
        var sending = connection.RunSendLoopAsync();
        var client = new RealtimeKitClient(connection, caller.Participant, caller.Permissions, ParticipantCredential.Of(context.User), peerID,
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown", services);
        try
        {
            await client.RunAsync(context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            connection.Close(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "");
            await sending.ConfigureAwait(false);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex PeerIdPattern();
}
