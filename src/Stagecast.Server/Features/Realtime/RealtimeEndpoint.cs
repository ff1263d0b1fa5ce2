using Stagecast.Server.Features.MeetingSockets;
using Stagecast.Server.Features.Participants;

namespace Stagecast.Server.Features.Realtime;

/// <summary><c>GET /realtime/v1</c>: the WebSocket a participant opens with its token (docs/realtime.md).</summary>
public static class RealtimeEndpoint
{
    public const string Path = "/realtime/v1";

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(Path, MeetingSocketService.UpgradeMethods, HandleAsync)
            .RequireAuthorization(ParticipantAuthenticationHandler.Policy)
            .WithTags("Realtime")
            .WithSummary("The meeting channel: a WebSocket authenticated with a participant token (?token= or Authorization: Bearer)");
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, RealtimeServices services)
    {
        MeetingSocketService.RequireWebSocket(context);
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        await services.Sockets.ServeAsync(context, System.Net.WebSockets.WebSocketMessageType.Text, services.Sockets.Options.MaxMessageBytes,
            (socket, credential) => new RealtimeClient(socket, caller.Participant, caller.Permissions, credential, services).RunAsync(context.RequestAborted)).ConfigureAwait(false);
    }
}
