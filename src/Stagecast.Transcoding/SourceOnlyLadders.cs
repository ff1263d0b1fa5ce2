using Stagecast.Streaming.Renditions;

namespace Stagecast.Transcoding;

/// <summary>The ladders when nothing says otherwise: every stream is its source alone, so nothing is encoded.</summary>
public sealed class SourceOnlyLadders : IRenditionLadders
{
    public ValueTask<StreamLadder> LadderAsync(string streamId, CancellationToken cancellationToken) => ValueTask.FromResult(StreamLadder.SourceOnly);
}
