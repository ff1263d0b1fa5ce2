namespace Stagecast.Server.Features.Cluster;

/// <summary>
/// The meetings this node serves now (their rooms): a meeting's lease is kept while it is here. A breakout room lives
/// where its first participant arrived, like any meeting; its main meeting's lease is kept while any room of the group
/// is here too, since the node holding it makes the group's changes (<see cref="IMeetingNodes"/>).
/// </summary>
public interface ILocalMeetings
{
    /// <summary>Whether the meeting's room, or one of its breakout rooms', is here.</summary>
    bool IsHere(string meetingId);
}
