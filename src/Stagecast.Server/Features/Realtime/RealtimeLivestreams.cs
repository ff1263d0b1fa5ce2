using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// The meeting's livestream on the channel: <c>livestream_start</c> and <c>livestream_stop</c> (RTKLivestream's
/// error codes: 1901 without <c>can_livestream</c>, 1902 to stop what is not started, 1900 otherwise), and every
/// change pushed to the room as <c>livestream_invoked</c>, <c>livestream_started</c>, <c>livestream_errored</c> or
/// <c>livestream_stopped</c>.
/// </summary>
public sealed class RealtimeLivestreams(MeetingLivestreamService livestreams, MeetingRooms rooms) : IMeetingLivestreamListener
{
    public const int Failed = 1900;
    public const int NotPermitted = 1901;
    public const int NotStarted = 1902;

    public async Task<RealtimeAnswer> StartAsync(RealtimeClient client, MeetingRoom room, StartMeetingLivestreamRequest request)
    {
        Require(client);
        try
        {
            var view = await livestreams.StartAsync(room.Meeting, room.SessionId, request, CancellationToken.None).ConfigureAwait(false);
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

    /// <summary>The meeting's livestream as a joining client sees it, or null.</summary>
    public LivestreamChannelView? Describe(MeetingRoom room, RealtimeClient client) =>
        livestreams.ActiveFor(room.MeetingId) is { } active
            ? LivestreamChannelView.From(livestreams.View(active), client.Permissions.CanLivestream)
            : null;

    public void OnMeetingLivestreamChanged(MeetingLivestreamEvent change)
    {
        if (rooms.Find(change.MeetingId) is not { } room)
        {
            return;
        }

        foreach (bool credentials in new[] { true, false })
        {
            var view = LivestreamChannelView.From(change.Livestream, credentials);
            LivestreamMessage message = change.Change switch
            {
                MeetingLivestreamChange.Invoked => new LivestreamInvokedMessage(view, change.Error),
                MeetingLivestreamChange.Started => new LivestreamStartedMessage(view, change.Error),
                MeetingLivestreamChange.Errored => new LivestreamErroredMessage(view, change.Error),
                _ => new LivestreamStoppedMessage(view, change.Error),
            };
            room.Broadcast(message, to: peer => peer.Permissions.CanLivestream == credentials);
        }
    }

    private static void Require(RealtimeClient client)
    {
        if (!client.Permissions.CanLivestream)
        {
            throw new RealtimeException(NotPermitted, "your preset does not allow livestreaming (can_livestream)");
        }
    }
}
