namespace Stagecast.Hls.Storage;

/// <summary>One stored partial segment; <see cref="MediaStart"/> is its position on the stream's timeline in seconds.</summary>
public sealed record HlsPart(long Number, long SegmentMsn, int IndexInSegment, PartBuffer Buffer, double Duration, bool Independent, long LastFrameReceivedAt, double MediaStart)
{
    public double MediaEnd => MediaStart + Duration;
}
