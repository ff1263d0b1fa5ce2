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
        endpoints.MapGet(Path + "/meeting", MeetingAsync)
            .RequireAuthorization(ParticipantAuthenticationHandler.Policy)
            .RequireCors(WebRtcServer.IceServersApi.CorsPolicy) // read by stagecast.js on any app's page, like /iceservers
            .WithTags("Realtime")
            .WithSummary("The participant's meeting (its title) and the participant as it will join, before it joins: what a lobby shows");
        return endpoints;
    }

    private static async Task<Microsoft.AspNetCore.Http.HttpResults.Ok<Hosting.Api.ApiResponse<LobbyView>>> MeetingAsync(HttpContext context, Meetings.IMeetingStore meetings)
    {
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        var meeting = await meetings.FindAsync(caller.Participant.MeetingId, context.RequestAborted).ConfigureAwait(false)
            ?? throw Hosting.Api.ApiException.NotFound("the meeting no longer exists");
        return Hosting.Api.ApiResults.Ok(new LobbyView(meeting.Id, meeting.Title, caller.Participant.Name, caller.Participant.PresetName));
    }

    private static async Task HandleAsync(HttpContext context, RealtimeServices services)
    {
        MeetingSocketService.RequireWebSocket(context);
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        await services.Sockets.ServeAsync(context, System.Net.WebSockets.WebSocketMessageType.Text, services.Sockets.Options.MaxMessageBytes,
            (socket, credential) => new RealtimeClient(socket, caller.Participant, caller.Permissions, credential, $"{context.Request.Scheme}://{context.Request.Host}", services).RunAsync(context.RequestAborted)).ConfigureAwait(false);
    }
}
