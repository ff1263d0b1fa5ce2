using System.Security.Claims;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Participants;

/// <summary>The participant a request comes from (its token checked by the participant scheme), with its preset as of now.</summary>
public sealed record ParticipantCaller(Participant Participant, Preset Preset)
{
    public PresetPermissions Permissions => Preset.Effective;

    public static async Task<ParticipantCaller> OfAsync(HttpContext context)
    {
        var services = context.RequestServices;
        string participantId = context.User.FindFirstValue(ParticipantAuthenticationHandler.ParticipantClaim)!;
        var participant = await services.GetRequiredService<IParticipantStore>().FindAsync(participantId, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound("the participant no longer exists");
        var preset = await services.GetRequiredService<IPresetStore>().FindAsync(participant.AppId, participant.PresetId, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.Conflict($"the participant's preset {participant.PresetName} no longer exists");
        return new ParticipantCaller(participant, preset);
    }

    /// <summary>A meeting in the path must be the participant's own.</summary>
    public void RequireMeeting(string meetingId)
    {
        if (meetingId != Participant.MeetingId)
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "this participant token is for another meeting");
        }
    }

    public void Require(bool allowed, string permission)
    {
        if (!allowed)
        {
            throw new ApiException(StatusCodes.Status403Forbidden, $"the participant's preset does not allow this ({permission})");
        }
    }
}
