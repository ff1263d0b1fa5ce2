namespace Stagecast.Streaming.Renditions;

/// <summary>
/// One encode of a live stream and its state, since when (what a status API or an event shows); for a
/// <see cref="RenditionState.Refused"/> one, why.
/// </summary>
public sealed record RenditionStatus(string LivestreamId, Rendition Rendition, RenditionState State, DateTimeOffset Since, string? Reason = null);
