using Stagecast.Hls.Storage;
using Stagecast.Streaming;

namespace Stagecast.Hls.Muxing;

/// <summary>
/// A rendition's muxing: parts and segments cut where the source's were, under the source's numbers. The encode's
/// frames carry the source's presentation times and its keyframes fall on the source's, so each frame is placed in the
/// source part that holds its time; a part is closed once its last frame is in (the next source part has started by
/// then: the encode runs behind the source). Frames the encode lost (a restart, a queue that overflowed) leave the
/// rendition out of step: it waits for a keyframe that starts a source segment and lists the segments it missed as gaps.
/// </summary>
public sealed partial class HlsMuxer
{
    /// <summary>An encode's keyframe lands within this of the source's (timestamps are rounded to milliseconds on the way).</summary>
    private const long AlignmentToleranceMs = 2;

    private readonly PartTimeline? _follow;
    private PartTimeline.Entry _followedPart;
    private bool _following;

    private void OnFollowedVideo(MediaFrame frame)
    {
        long ms = frame.Timestamp;
        if (_video is null || !_follow!.TryFind(ms, AlignmentToleranceMs, out var entry, out long? nextStartMs))
        {
            frame.Release();
            return;
        }

        if (_following && entry.Number == _followedPart.Number && _videoSamples.Count == 0 && nextStartMs is { } next
            && _follow.TryFind(next, 0, out var following, out long? afterNext))
        {
            // The part was closed a frame early (an uneven frame interval): this frame opens the next one.
            (entry, nextStartMs) = (following, afterNext);
        }

        bool continues = _following && (entry.Number == _followedPart.Number
            ? _videoSamples.Count > 0
            : entry.Number == _followedPart.Number + 1 && (entry.Msn == _followedPart.Msn || (entry.Index == 0 && frame.IsKeyframe)));
        if (!continues)
        {
            LoseStep();
            bool startsSourceSegment = frame.IsKeyframe && entry.Index == 0 && Math.Abs(entry.StartMs - ms) <= AlignmentToleranceMs;
            if (!startsSourceSegment)
            {
                frame.Release();
                return;
            }

            Start(ms);
            _following = true;
        }

        if (entry.Number != _followedPart.Number || _videoSamples.Count == 0)
        {
            ClosePart();
            if (entry.Msn != _followedPart.Msn)
            {
                CloseSegment();
            }

            _followedPart = entry;
            EnsureFollowedSegment();
            _partIndependent = frame.IsKeyframe;
        }

        var (clock, estimate) = AdvanceVideoClock(ms);
        AppendVideo(frame, clock, estimate);
        if (nextStartMs is { } end && clock + (_videoIntervalMs / 2) >= end)
        {
            ClosePart();
        }
    }

    /// <summary>The rendition fell out of step with its source: what it has is listed, and it waits to start again.</summary>
    private void LoseStep()
    {
        if (_following)
        {
            Flush();
            _following = false;
            _started = false;
        }
    }

    private void EnsureFollowedSegment()
    {
        if (!_output.HasOpenSegment)
        {
            _output.OpenSegment(_followedPart.Msn, _followedPart.Discontinuity, _followedPart.ProgramDateTime,
                msn => _follow!.SegmentDuration(msn) ?? _options.TargetDurationSeconds);
        }
    }
}
