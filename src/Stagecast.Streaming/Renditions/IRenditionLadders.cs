using System.Collections.Immutable;

namespace Stagecast.Streaming.Renditions;

/// <summary>The ladder a live stream asked for (its livestream's setting, else its app's default, else the source alone).</summary>
public interface IRenditionLadders
{
    ValueTask<ImmutableArray<Rendition>> LadderAsync(string streamId, CancellationToken cancellationToken);
}
