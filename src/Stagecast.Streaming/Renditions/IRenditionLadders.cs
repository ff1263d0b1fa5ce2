namespace Stagecast.Streaming.Renditions;

/// <summary>
/// The ladder a live stream asked for (its livestream's setting, else its app's default, else the source alone), and
/// whose quota its encodes count against.
/// </summary>
public interface IRenditionLadders
{
    ValueTask<StreamLadder> LadderAsync(string streamId, CancellationToken cancellationToken);
}
