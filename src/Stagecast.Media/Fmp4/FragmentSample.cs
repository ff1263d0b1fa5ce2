namespace Stagecast.Media.Fmp4;

/// <summary>One sample of a track run: duration in the track's timescale, size in bytes, sync flag and CTS offset.</summary>
public record struct FragmentSample(uint Duration, int Size, bool IsKeyframe, int CompositionOffset);
