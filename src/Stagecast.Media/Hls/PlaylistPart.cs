namespace Stagecast.Media.Hls;

/// <summary>
/// A partial segment as listed by EXT-X-PART: its stream-wide number, its duration in seconds and whether it
/// starts with a keyframe.
/// </summary>
public readonly record struct PlaylistPart(long Number, double Duration, bool Independent);
