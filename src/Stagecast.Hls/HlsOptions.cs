using System.ComponentModel.DataAnnotations;

namespace Stagecast.Hls;

/// <summary>LL-HLS packaging settings; fixed for a stream's lifetime once it starts.</summary>
public sealed class HlsOptions : IValidatableObject
{
    /// <summary>PART-TARGET: no partial segment is longer. 0.334 s holds ten frames at 30 fps.</summary>
    public TimeSpan PartTarget { get; set; } = TimeSpan.FromMilliseconds(334);

    /// <summary>A segment ends at the first keyframe after this much media.</summary>
    public TimeSpan SegmentMinDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// EXT-X-TARGETDURATION in seconds. A keyframe interval longer than this gets segments cut between keyframes
    /// so every EXTINF still rounds to at most this (RFC 8216bis 4.4.3.1).
    /// </summary>
    [Range(1, 30)]
    public int TargetDurationSeconds { get; set; } = 2;

    /// <summary>
    /// Complete segments listed in the playlist. The RFC asks for at least three target durations of media
    /// (6.2.2); the default of 6 one-second segments meets that with the default target duration.
    /// </summary>
    [Range(3, 100)]
    public int WindowSegments { get; set; } = 6;

    /// <summary>Segments kept for clients that are still fetching them after they left the playlist.</summary>
    [Range(0, 20)]
    public int RetainedSegments { get; set; } = 3;

    /// <summary>Longest a blocking playlist, part or segment request waits before 503.</summary>
    public TimeSpan BlockingTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>How long the playlist of an ended stream stays available (with EXT-X-ENDLIST).</summary>
    public TimeSpan EndedStreamRetention { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PartTarget < TimeSpan.FromMilliseconds(50) || PartTarget > TimeSpan.FromSeconds(TargetDurationSeconds) / 2)
        {
            yield return new ValidationResult("PartTarget must be between 50 ms and half the target duration", [nameof(PartTarget)]);
        }

        if (SegmentMinDuration < PartTarget || SegmentMinDuration > TimeSpan.FromSeconds(TargetDurationSeconds))
        {
            yield return new ValidationResult("SegmentMinDuration must be between PartTarget and the target duration", [nameof(SegmentMinDuration)]);
        }
    }
}
