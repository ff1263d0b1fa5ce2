using System.Security.Claims;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Realtime;

/// <summary><c>GET /realtime/v1</c>: the WebSocket a participant opens with its token (docs/realtime.md).</summary>
public static class RealtimeEndpoint
{
    public const string Path = "/realtime/v1";

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, HandleAsync)
            .RequireAuthorization(ParticipantAuthenticationHandler.Policy)
            .WithTags("Realtime")
            .WithSummary("The meeting channel: a WebSocket authenticated with a participant token (?token= or Authorization: Bearer)");
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, IParticipantStore participants, IPresetStore presets, RealtimeServices services)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ApiException.BadRequest("this endpoint is a WebSocket: connect with an Upgrade: websocket request");
        }

        string participantId = context.User.FindFirstValue(ParticipantAuthenticationHandler.ParticipantClaim)!;
        var credential = ParticipantCredential.Of(context.User);
        var participant = await participants.FindAsync(participantId, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound("the participant no longer exists");
        var preset = await presets.FindAsync(participant.AppId, participant.PresetId, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.Conflict($"the participant's preset {participant.PresetName} no longer exists");

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var connection = new RealtimeConnection(socket, services.Options, services.Time);
        var sending = connection.RunSendLoopAsync();
        var client = new RealtimeClient(connection, participant, preset.Effective, credential, services);
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
}
