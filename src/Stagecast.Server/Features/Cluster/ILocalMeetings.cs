namespace Stagecast.Server.Features.Cluster;

/// <summary>The meetings this node serves now (their rooms): a meeting's lease is kept while it is here.</summary>
public interface ILocalMeetings
{
    bool IsHere(string meetingId);
}
