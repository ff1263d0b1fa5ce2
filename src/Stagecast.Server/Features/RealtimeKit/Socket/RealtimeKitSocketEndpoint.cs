using System.Security.Claims;
using System.Text.RegularExpressions;
using Stagecast.Server.Features.MeetingSockets;
using Stagecast.Server.Features.Participants;
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
        app.MapMethods("/ws", MeetingSocketService.UpgradeMethods, HandleAsync)
            .RequireHost(hosts.Socket)
            .RequireAuthorization(ParticipantAuthenticationHandler.Policy)
            .WithTags("RealtimeKit client")
            .WithSummary("RealtimeKit's socket: binary protobuf messages, authenticated with a participant token (?authToken=)");
        return app;
    }

    private static async Task HandleAsync(HttpContext context, RealtimeKitServices services, string? roomID, string? peerID)
    {
        MeetingSocketService.RequireWebSocket(context);
        if (peerID is null || !PeerIdPattern().IsMatch(peerID))
        {
            throw ApiException.BadRequest("peerID must be the client's id for itself: 1 to 64 letters, digits, '-' or '_'");
        }

        if (roomID is not null && roomID != context.User.FindFirstValue(ParticipantAuthenticationHandler.MeetingClaim))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "this participant token is for another meeting");
        }

        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        string address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        await services.Sockets.ServeAsync(context, System.Net.WebSockets.WebSocketMessageType.Binary, RealtimeKitServices.MaxMessageBytes,
            (socket, credential) => new RealtimeKitClient(socket, caller.Participant, caller.Permissions, credential, peerID, address, services)
                .RunAsync(context.RequestAborted)).ConfigureAwait(false);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex PeerIdPattern();
}
