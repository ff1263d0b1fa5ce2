using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// The meeting's livestream on the channel: <c>livestream_start</c> and <c>livestream_stop</c>, with RTKLivestream's
/// error codes (1901 without <c>can_livestream</c>, 1902 to stop what is not started, 1900 otherwise). Its changes
/// reach the channel as the room's <see cref="LivestreamChanged"/>.
/// </summary>
public sealed class RealtimeLivestreams(MeetingLivestreamService livestreams)
{
    public const int Failed = 1900;
    public const int NotPermitted = 1901;
    public const int NotStarted = 1902;

    public async Task<RealtimeAnswer> StartAsync(RealtimeClient client, MeetingRoom room, StartMeetingLivestreamRequest request)
    {
        Require(client);
        try
        {
            var view = await livestreams.StartAsync(room.Meeting, room.SessionId, request.By(client.Permissions), CancellationToken.None).ConfigureAwait(false);
            return new LivestreamAnswer(LivestreamChannelView.From(view, withCredentials: true));
        }
        catch (ApiException ex)
        {
            throw new RealtimeException(Failed, ex.Message);
        }
    }

    public async Task<RealtimeAnswer> StopAsync(RealtimeClient client, MeetingRoom room)
    {
        Require(client);
        return await livestreams.StopAsync(room.MeetingId, "stopped by a participant").ConfigureAwait(false)
            ? EmptyAnswer.Instance
            : throw new RealtimeException(NotStarted, "the meeting has no livestream to stop");
    }

    private static void Require(RealtimeClient client)
    {
        if (!client.Permissions.CanLivestream)
        {
            throw new RealtimeException(NotPermitted, "your preset does not allow livestreaming (can_livestream)");
        }
    }
}
