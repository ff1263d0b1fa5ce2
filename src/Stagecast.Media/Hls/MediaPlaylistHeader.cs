namespace Stagecast.Media.Hls;

/// <summary>The values of a media playlist that stay fixed for a stream's lifetime (RFC 8216bis 4.4.3).</summary>
public readonly record struct MediaPlaylistHeader(int TargetDuration, double PartTarget)
{
    /// <summary>PART-HOLD-BACK: three part targets, the minimum RFC 8216bis 4.4.3.8 allows.</summary>
    public double PartHoldBack => 3 * PartTarget;
}
