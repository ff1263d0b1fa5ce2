namespace Stagecast.Streaming;

/// <summary>What the publisher said about its stream (RTMP onMetaData); every field is optional.</summary>
public sealed record StreamMetadata(
    int? Width,
    int? Height,
    double? FrameRate,
    double? VideoKilobitsPerSecond,
    double? AudioKilobitsPerSecond,
    string? Encoder);
