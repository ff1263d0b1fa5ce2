namespace Stagecast.Server.Features.Cluster;

/// <summary>
/// The meetings this node serves now (their rooms): a meeting's lease is kept while it is here. A meeting and its
/// breakout rooms live on one node, under the parent's lease: making, filling and closing rooms acts on every room of
/// the group at once.
/// </summary>
public interface ILocalMeetings
{
    /// <summary>Whether the meeting's room, or one of its breakout rooms', is here.</summary>
    bool IsHere(string meetingId);

    /// <summary>The meeting whose lease places <paramref name="meetingId"/>: its parent for a breakout room, itself otherwise.</summary>
    ValueTask<string> PlacedWithAsync(string meetingId, CancellationToken cancellationToken);
}
