using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// A meeting changed on a node its room does not live on (a breakout room closed by its group's node, or with its main
/// meeting; the meeting API is sent to the room's node already): the node holding its lease is told, and its room
/// reads the change there (made inactive, it ends). Nothing to do on a single node.
/// </summary>
public sealed partial class RemoteMeetingChanges(MeetingRooms rooms, ILogger<RemoteMeetingChanges> logger, IGroupNodes? nodes = null) : IMeetingObserver
{
    public async Task OnMeetingChangedAsync(Meeting meeting)
    {
        if (nodes is null || rooms.Find(meeting.Id) is not null || await nodes.OtherNodeOfAsync(meeting.Id, CancellationToken.None).ConfigureAwait(false) is not { } node)
        {
            return;
        }

        try
        {
            await nodes.AskAsync(node, new GroupRequest(GroupOp.Changed, meeting.Id), CancellationToken.None).ConfigureAwait(false);
        }
        catch (DomainException ex) when (ex.Error == DomainError.Unavailable)
        {
            Log.NotTold(logger, meeting.Id, node, ex.Message); // the change is stored; a room there reads it at its next join
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Node {Node} was not told that meeting {MeetingId} changed: {Reason}")]
        public static partial void NotTold(ILogger logger, string meetingId, string node, string reason);
    }
}
