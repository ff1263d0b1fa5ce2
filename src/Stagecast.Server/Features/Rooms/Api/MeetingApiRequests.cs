using System.Text.RegularExpressions;
using Stagecast.Server.Features.Cluster;

namespace Stagecast.Server.Features.Rooms.Api;

/// <summary>
/// In a cluster: the API on a meeting (its active session, livestream, recordings, room streams) goes to the node its
/// room lives on, if any.
/// </summary>
public sealed partial class MeetingApiRequests : IMeetingRequests
{
    public MeetingRequest? Match(HttpRequest request) =>
        ApiMeetingId().Match(request.Path.Value ?? "") is { Success: true } meeting ? new MeetingRequest(meeting.Groups[1].Value, Opens: false) : null;

    [GeneratedRegex("^/(?:client/v4/)?accounts/[^/]+/realtime/kit/[^/]+/meetings/([^/]+)(?:/|$)")]
    private static partial Regex ApiMeetingId();
}
