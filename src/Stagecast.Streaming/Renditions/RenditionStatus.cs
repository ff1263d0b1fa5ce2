namespace Stagecast.Streaming.Renditions;

/// <summary>One encode of a live stream and its state, since when (what a status API or an event shows).</summary>
public sealed record RenditionStatus(string LivestreamId, Rendition Rendition, RenditionState State, DateTimeOffset Since);
