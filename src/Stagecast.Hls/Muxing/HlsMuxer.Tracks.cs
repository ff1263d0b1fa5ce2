using Stagecast.Hls.Storage;
using Stagecast.Media.Codecs;
using Stagecast.Media.Fmp4;
using Stagecast.Streaming;

namespace Stagecast.Hls.Muxing;

/// <summary>Per-track timing: video and audio frames into the open part, and writing a part out.</summary>
public sealed partial class HlsMuxer
{
    private readonly BoxBuffer _box = new(4096);
    private readonly TrackRun[] _runs = new TrackRun[2];
    private FragmentSample[] _videoRun = new FragmentSample[64];
    private FragmentSample[] _audioRun = new FragmentSample[64];
    private uint _fragmentSequence = 1;

    private double SegmentSecondsWithOpenPart => _output.OpenSegmentDuration + (_partVideoTicks / (double)TrackLayout.VideoTimescale);

    private void OnVideo(MediaFrame frame)
    {
        if (_follow is not null)
        {
            OnFollowedVideo(frame);
            return;
        }

        if (_video is null || (!_started && !frame.IsKeyframe))
        {
            frame.Release();
            return;
        }

        if (_started && _layout.Video is null)
        {
            Interrupt(); // video appeared in a stream that started audio-only
            if (!frame.IsKeyframe)
            {
                frame.Release();
                return;
            }
        }

        if (!_started)
        {
            Start(frame.Timestamp);
        }

        var (ms, estimate) = AdvanceVideoClock(frame.Timestamp);
        if (frame.IsKeyframe)
        {
            bool segmentLongEnough = _output.HasOpenSegment
                && SegmentSecondsWithOpenPart >= _options.SegmentMinDuration.TotalSeconds - (_videoIntervalMs / 2000.0);

            // Audio that arrived since the last part rides along with the keyframe's part.
            if (_videoSamples.Count > 0)
            {
                ClosePart();
            }

            if (segmentLongEnough)
            {
                CloseSegment();
            }
        }
        else if (_videoSamples.Count > 0 && _partVideoTicks + estimate > _partTargetVideoTicks)
        {
            ClosePart();
            CutSegmentIfFull();
        }

        EnsureSegment(frame);
        if (frame.IsKeyframe)
        {
            _presentationShiftMs = frame.CompositionOffset;
        }

        if (_videoSamples.Count == 0)
        {
            _partIndependent = frame.IsKeyframe;
            _output.RecordPartStart(ms + _presentationShiftMs);
        }

        AppendVideo(frame, ms, estimate);
        if (_partVideoTicks + estimate > _partTargetVideoTicks)
        {
            ClosePart();
            CutSegmentIfFull();
        }
    }

    /// <summary>
    /// Moves the video clock to a frame: decode times increase, and the previous frame's duration is now known exactly.
    /// Returns the frame's decode time in milliseconds and its estimated duration in 90 kHz ticks.
    /// </summary>
    private (long Ms, long Estimate) AdvanceVideoClock(long timestamp)
    {
        long ms = timestamp;
        if (_lastVideoMs != long.MinValue)
        {
            ms = Math.Max(ms, _lastVideoMs + 1);
            long delta = ms - _lastVideoMs;
            if (delta <= 1000)
            {
                _videoIntervalMs += (delta - _videoIntervalMs) / 8;
            }

            if (_videoSamples.Count > 0)
            {
                var last = _videoSamples[^1];
                _partVideoTicks += (delta * 90) - last.Duration;
                last.Duration = (uint)(delta * 90);
                _videoSamples[^1] = last;
            }
        }

        _lastVideoMs = ms;
        return (ms, (long)Math.Round(_videoIntervalMs * 90));
    }

    private void AppendVideo(MediaFrame frame, long ms, long estimate)
    {
        _videoSamples.Add(new PendingSample(frame, (ms - _baseMs) * 90, (uint)estimate, frame.CompositionOffset * 90));
        _partVideoTicks += estimate;
        _partReceivedAt = frame.ReceivedAt;
    }

    private void OnAudio(MediaFrame frame)
    {
        if (_audio is null || (!_started && _video is not null) || (_started && _layout.Audio is null))
        {
            frame.Release(); // no audio config yet, waiting for the first video keyframe, or a video-only layout
            return;
        }

        if (!_started)
        {
            Start(frame.Timestamp);
        }

        int rate = _layout.Audio!.SampleRate;
        int samplesPerFrame = AudioTrackConfig.SamplesPerFrame;
        long actual = (frame.Timestamp - _baseMs) * rate / 1000;
        if (actual < 0)
        {
            frame.Release();
            return;
        }

        // Keep the audio timeline continuous through millisecond rounding; only a real gap moves it.
        long tick = _nextAudioTick == long.MinValue || actual > _nextAudioTick + (samplesPerFrame / 2) ? actual : _nextAudioTick;
        if (_audioSamples.Count > 0)
        {
            var last = _audioSamples[^1];
            uint exact = (uint)(tick - last.DecodeTime);
            _partAudioTicks += exact - (long)last.Duration;
            last.Duration = exact;
            _audioSamples[^1] = last;
        }

        _nextAudioTick = tick + samplesPerFrame;
        bool audioLeads = _layout.Video is null;
        long partTarget = (long)(_options.PartTarget.TotalSeconds * rate);
        if (audioLeads && _audioSamples.Count > 0 && _partAudioTicks + samplesPerFrame > partTarget)
        {
            CloseAudioLedPart(rate);
        }

        if (audioLeads)
        {
            EnsureSegment(frame);
            if (_audioSamples.Count == 0)
            {
                _partIndependent = true;
            }

            _partReceivedAt = frame.ReceivedAt;
        }

        _audioSamples.Add(new PendingSample(frame, tick, (uint)samplesPerFrame, 0));
        _partAudioTicks += samplesPerFrame;
        if (audioLeads && _partAudioTicks + samplesPerFrame > partTarget)
        {
            CloseAudioLedPart(rate);
        }
    }

    private void CloseAudioLedPart(int rate)
    {
        ClosePart();
        double margin = _options.PartTarget.TotalSeconds / 2;
        if (_output.OpenSegmentDuration >= _options.SegmentMinDuration.TotalSeconds - margin)
        {
            CloseSegment();
        }
    }

    /// <summary>Writes the open part (moof + mdat) into a pooled buffer and hands it to the store.</summary>
    private void ClosePart()
    {
        if (_videoSamples.Count == 0 && _audioSamples.Count == 0)
        {
            return;
        }

        if (!_output.HasOpenSegment)
        {
            EnsureSegment((_videoSamples.Count > 0 ? _videoSamples[0] : _audioSamples[0]).Frame);
        }

        int runCount = 0;
        if (_videoSamples.Count > 0)
        {
            _runs[runCount++] = BuildRun(_layout.VideoTrackId, _videoSamples, ref _videoRun, isVideo: true);
        }

        if (_audioSamples.Count > 0)
        {
            _runs[runCount++] = BuildRun(_layout.AudioTrackId, _audioSamples, ref _audioRun, isVideo: false);
        }

        _box.Reset();
        long payload = FragmentWriter.WriteHeader(_box, _fragmentSequence++, _runs.AsSpan(0, runCount));
        var buffer = PartBuffer.Rent(checked((int)(_box.Length + payload)));
        var span = buffer.GetWritableSpan();
        _box.WrittenSpan.CopyTo(span);
        int offset = _box.Length;
        offset = CopyAndRelease(_videoSamples, span, offset);
        CopyAndRelease(_audioSamples, span, offset);

        double duration = _partVideoTicks > 0
            ? _partVideoTicks / (double)TrackLayout.VideoTimescale
            : _partAudioTicks / (double)_layout.AudioTimescale;
        _output.AddPart(buffer, duration, _partIndependent, _partReceivedAt, _follow is null ? null : (_followedPart.Number, _followedPart.MediaStart));

        _partVideoTicks = 0;
        _partAudioTicks = 0;
        _dirty = true;
    }

    private static TrackRun BuildRun(uint trackId, List<PendingSample> samples, ref FragmentSample[] run, bool isVideo)
    {
        if (run.Length < samples.Count)
        {
            run = new FragmentSample[Math.Max(samples.Count, run.Length * 2)];
        }

        for (int i = 0; i < samples.Count; i++)
        {
            var sample = samples[i];
            run[i] = new FragmentSample(sample.Duration, sample.Frame.Length, sample.Frame.IsKeyframe, sample.CompositionOffset);
        }

        return new TrackRun(trackId, (ulong)samples[0].DecodeTime, run.AsMemory(0, samples.Count), isVideo);
    }

    private static int CopyAndRelease(List<PendingSample> samples, Span<byte> destination, int offset)
    {
        foreach (var sample in samples)
        {
            sample.Frame.Span.CopyTo(destination[offset..]);
            offset += sample.Frame.Length;
            sample.Frame.Release();
        }

        samples.Clear();
        return offset;
    }
}
