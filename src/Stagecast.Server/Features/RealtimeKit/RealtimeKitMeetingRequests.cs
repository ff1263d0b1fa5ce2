using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.Participants;

namespace Stagecast.Server.Features.RealtimeKit;

/// <summary>
/// In a cluster: RealtimeKit's socket (<c>/ws?authToken=</c>) goes to the node of its token's meeting, and takes the
/// meeting for this node when no node has it yet; the client's REST calls (<c>/v2/…</c> with the token as bearer)
/// follow the meeting to its node (a chat upload, a recording or a livestream act on the room there).
/// </summary>
public sealed class RealtimeKitMeetingRequests(ParticipantTokens tokens) : IMeetingRequests
{
    public MeetingRequest? Match(HttpRequest request)
    {
        bool socket = request.Path == "/ws";
        return (socket || request.Path.StartsWithSegments("/v2")) && ParticipantTokens.Of(request) is { } token && tokens.Validate(token) is { } claims
            ? new MeetingRequest(claims.MeetingId, Opens: socket)
            : null;
    }
}
