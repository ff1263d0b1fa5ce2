using System.Collections.Immutable;

namespace Stagecast.Streaming.Renditions;

/// <summary>
/// A live stream's ladder (<see cref="Renditions"/>, the source first) and whose quota its encodes count against
/// (<see cref="Owner"/>: its livestream's account; empty when it has none).
/// </summary>
public sealed record StreamLadder(ImmutableArray<Rendition> Renditions, string Owner)
{
    public static readonly StreamLadder SourceOnly = new(RenditionLadder.SourceOnly, "");
}
