using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Hosting.Api;

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
        var path = request.Path;
        if (path == "/ws")
        {
            return Meeting(request.Query["authToken"].LastOrDefault(), opens: true);
        }

        return path.StartsWithSegments("/v2") ? Meeting(BearerToken.From(request), opens: false) : null;
    }

    private MeetingRequest? Meeting(string? token, bool opens) =>
        token is { Length: > 0 } && tokens.Validate(token) is { } claims ? new MeetingRequest(claims.MeetingId, opens) : null;
}
