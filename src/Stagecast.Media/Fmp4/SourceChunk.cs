namespace Stagecast.Media.Fmp4;

/// <summary>A run of samples' bytes in the fragmented file (one track run): where they are, how many bytes and samples.</summary>
public readonly record struct SourceChunk(TrackIndex Track, long Offset, long Length, int SampleCount);
