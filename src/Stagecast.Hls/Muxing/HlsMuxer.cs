using Stagecast.Hls.Storage;
using Stagecast.Media.Codecs;
using Stagecast.Media.Fmp4;
using Stagecast.Streaming;

namespace Stagecast.Hls.Muxing;

/// <summary>
/// Turns one stream's frames into LL-HLS partial segments and segments: timing and segmentation only (boxes come
/// from <see cref="FragmentWriter"/>, storage is <see cref="HlsStream"/>). Video leads when present: segments
/// start at keyframes, and a keyframe always starts a new, independent part. A part is closed as soon as the
/// next frame would not fit in PART-TARGET, estimating the last frame's duration from the one before, so a part
/// is listed the moment its last frame arrives rather than one frame later.
/// </summary>
public sealed partial class HlsMuxer : IDisposable
{
    private readonly HlsStream _output;
    private readonly HlsOptions _options;
    private readonly TimeProvider _time;
    private readonly List<PendingSample> _videoSamples = [];
    private readonly List<PendingSample> _audioSamples = [];
    private readonly long _partTargetVideoTicks;

    private VideoTrackConfig? _video;
    private AudioTrackConfig? _audio;
    private TrackLayout _layout;
    private bool _hasInit;
    private bool _started;
    private bool _discontinuityPending;
    private bool _dirty;
    private long _baseMs = long.MinValue;
    private long _lastVideoMs = long.MinValue;
    /// <summary>Running average of the video frame interval in milliseconds; frame timestamps are whole milliseconds, the rate is not.</summary>
    private double _videoIntervalMs = 1000.0 / 30;
    private long _nextAudioTick = long.MinValue;
    /// <summary>The presentation offset of the latest keyframe: where this stream's parts start in presentation time.</summary>
    private long _presentationShiftMs;

    private long _partVideoTicks;
    private long _partAudioTicks;
    private bool _partIndependent;
    private long _partReceivedAt;

    /// <param name="follow">For a rendition: its source's part timeline, which decides where parts and segments start.</param>
    public HlsMuxer(HlsStream output, HlsOptions options, TimeProvider time, PartTimeline? follow = null)
    {
        _follow = follow;
        _output = output;
        _options = options;
        _time = time;
        _partTargetVideoTicks = (long)Math.Round(options.PartTarget.TotalSeconds * TrackLayout.VideoTimescale);
    }

    /// <summary>Processes one frame from the stream reader; takes over the caller's reference.</summary>
    public void Process(MediaFrame frame)
    {
        switch (frame.Kind)
        {
            case MediaFrameKind.Video:
                OnVideo(frame);
                return;
            case MediaFrameKind.Audio:
                OnAudio(frame);
                return;
            case MediaFrameKind.VideoConfig:
                OnVideoConfig((VideoTrackConfig)frame.Detail!);
                break;
            case MediaFrameKind.AudioConfig:
                OnAudioConfig((AudioTrackConfig)frame.Detail!);
                break;
            case MediaFrameKind.PublisherLeft:
            case MediaFrameKind.PublisherResumed:
                Interrupt();
                break;
            case MediaFrameKind.TimedText:
                _output.AddCue((TimedTextCue)frame.Detail!); // the stream's own timed text track, if it carries one
                break;
            case MediaFrameKind.StreamEnded:
                Flush();
                _output.End();
                _dirty = false;
                break;
        }

        frame.Release();
    }

    /// <summary>Publishes the playlist if a part or segment was completed since the last call.</summary>
    public void PublishIfChanged()
    {
        if (_dirty)
        {
            _dirty = false;
            _output.Publish();
        }
    }

    public void Dispose()
    {
        foreach (var sample in _videoSamples)
        {
            sample.Frame.Release();
        }

        foreach (var sample in _audioSamples)
        {
            sample.Frame.Release();
        }

        _videoSamples.Clear();
        _audioSamples.Clear();
    }

    private void OnVideoConfig(VideoTrackConfig config)
    {
        if (_started && (_layout.Video is null || !config.IsSameAs(_layout.Video)))
        {
            Interrupt();
        }

        _video = config;
    }

    private void OnAudioConfig(AudioTrackConfig config)
    {
        if (_started && (_layout.Audio is null || !config.IsSameAs(_layout.Audio)))
        {
            Interrupt();
        }

        _audio = config;
    }

    /// <summary>Starts writing with the current configuration; a new configuration gets a new init segment.</summary>
    private void Start(long firstTimestamp)
    {
        var layout = new TrackLayout(_video, _audio);
        if (!_hasInit || !ReferenceEquals(layout.Video, _layout.Video) || !ReferenceEquals(layout.Audio, _layout.Audio))
        {
            _discontinuityPending |= _hasInit;
            _output.AddInit(layout, InitSegmentWriter.Write(layout));
            _layout = layout;
            _hasInit = true;
        }

        if (_baseMs == long.MinValue)
        {
            _baseMs = _follow?.BaseMs ?? firstTimestamp;
            if (_output.Timeline is { } timeline)
            {
                timeline.BaseMs = _baseMs;
            }
        }

        _started = true;
        _lastVideoMs = long.MinValue;
        _nextAudioTick = long.MinValue;
    }

    /// <summary>Publisher change or new configuration: finish what is open and resume after a discontinuity.</summary>
    private void Interrupt()
    {
        Flush();
        if (_started)
        {
            _discontinuityPending = true;
        }

        _started = false;
        _following = false;
    }

    private void Flush()
    {
        ClosePart();
        CloseSegment();
    }

    private void CloseSegment()
    {
        if (_output.HasOpenSegment)
        {
            _output.CompleteSegment();
            _dirty = true;
        }
    }

    private void EnsureSegment(MediaFrame frame)
    {
        if (_follow is not null)
        {
            EnsureFollowedSegment();
            return;
        }

        if (!_output.HasOpenSegment)
        {
            var receivedAt = _time.GetUtcNow() - _time.GetElapsedTime(frame.ReceivedAt);
            _output.OpenSegment(_discontinuityPending, receivedAt);
            _discontinuityPending = false;
        }
    }

    /// <summary>EXTINF must round to at most the target duration (RFC 8216bis 4.4.3.1): cut before a part could break that.</summary>
    private void CutSegmentIfFull()
    {
        if (_output.OpenSegmentDuration + _options.PartTarget.TotalSeconds > _options.TargetDurationSeconds + 0.49)
        {
            CloseSegment();
        }
    }
}
