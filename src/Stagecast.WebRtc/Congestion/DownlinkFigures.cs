namespace Stagecast.WebRtc.Congestion;

/// <summary>A subscriber connection's downlink as its estimator sees it: the estimate and what arrived (bit/s), the share lost, the queue's trend, whether the path has shown a limit its video is shared within.</summary>
public readonly record struct DownlinkFigures(long EstimateBps, long AckedBps, double Loss, PathUsage Usage, bool Constrained);
