namespace Stagecast.Hls.Storage;

/// <summary>One stored partial segment.</summary>
public sealed record HlsPart(long Number, long SegmentMsn, int IndexInSegment, PartBuffer Buffer, double Duration, bool Independent, long LastFrameReceivedAt);
