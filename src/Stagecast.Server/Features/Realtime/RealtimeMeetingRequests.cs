using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.Participants;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// In a cluster: the channel and meeting media (everything under <c>/realtime/v1</c>) go to the node of the meeting
/// named by the participant token they carry (<c>?token=</c> or <c>Authorization: Bearer</c>); a participant arriving
/// brings the meeting to this node when no node has it yet.
/// </summary>
public sealed class RealtimeMeetingRequests(ParticipantTokens tokens) : IMeetingRequests
{
    public MeetingRequest? Match(HttpRequest request) =>
        request.Path.StartsWithSegments(RealtimeEndpoint.Path) && ParticipantTokens.Of(request) is { } token && tokens.Validate(token) is { } claims
            ? new MeetingRequest(claims.MeetingId, Opens: true)
            : null;
}
