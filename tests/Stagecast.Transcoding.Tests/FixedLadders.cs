using Stagecast.Streaming.Renditions;

namespace Stagecast.Transcoding.Tests;

/// <summary>Every stream asks for the same ladder (the server's lookup reads it from the livestream).</summary>
internal sealed class FixedLadders(params string[] names) : IRenditionLadders
{
    public ValueTask<StreamLadder> LadderAsync(string streamId, CancellationToken cancellationToken)
    {
        Assert.True(RenditionLadder.TryParse(names, out var ladder, out string? error), error);
        return ValueTask.FromResult(new StreamLadder(ladder, ""));
    }
}
