using Stagecast.Media.Codecs;

namespace Stagecast.Streaming;

/// <summary>The publisher side: attach and detach, configuration, media, the timeline and the GOP cache.</summary>
public sealed partial class HubStream
{
    /// <summary>Gap inserted between the last frame of one publisher and the first of the next (one 25 fps frame).</summary>
    private const long ResumeGapMilliseconds = 40;

    private readonly List<MediaFrame> _gop = [];
    private long _gopBytes;
    private bool _gopOverflow;
    private long _lastTimestamp = long.MinValue;
    private long _timestampOffset;
    private bool _needsOffset;
    private long _runStart = long.MinValue;
    private long _runEnd;
    private long _completedRunsMilliseconds;
    private long _bytesIn;
    private long _framesIn;
    private long _droppedFrames;
    private long _rateWindowStart;
    private long _rateWindowBytes;
    private long _bitsPerSecond = NotMeasured;
    private ITimer? _reconnectTimer;
    private readonly CancellationTokenSource _ended = new();

    /// <summary>Media time received from publishers, summed over reconnects.</summary>
    public TimeSpan IngestedDuration
    {
        get
        {
            lock (_sync)
            {
                long current = _runStart == long.MinValue ? 0 : _runEnd - _runStart;
                return TimeSpan.FromMilliseconds(_completedRunsMilliseconds + current);
            }
        }
    }

    public long BytesIn => Interlocked.Read(ref _bytesIn);

    public long FramesIn => Interlocked.Read(ref _framesIn);

    /// <summary>Frames this stream's readers dropped because they fell behind.</summary>
    public long DroppedFrames => Interlocked.Read(ref _droppedFrames);

    /// <summary>
    /// Media bits per second received over the last whole second; before media has flowed for a whole second, the bits
    /// received so far (they are all the last second held); 0 once nothing arrived for two.
    /// </summary>
    public long IngestBitsPerSecond
    {
        get
        {
            lock (_sync)
            {
                var elapsed = _time.GetElapsedTime(_rateWindowStart);
                if (_rateWindowStart == 0 || elapsed > RateWindow * 2)
                {
                    return 0;
                }

                return _bitsPerSecond != NotMeasured ? _bitsPerSecond : (long)(_rateWindowBytes * 8 / Math.Max(1, elapsed.TotalSeconds));
            }
        }
    }

    private static TimeSpan RateWindow => TimeSpan.FromSeconds(1);

    private const long NotMeasured = -1;

    internal void CountDroppedFrame() => Interlocked.Increment(ref _droppedFrames);

    private void MeasureRate(long now, int bytes)
    {
        var elapsed = _time.GetElapsedTime(_rateWindowStart, now);
        if (_rateWindowStart == 0 || elapsed > RateWindow * 2)
        {
            (_rateWindowStart, _rateWindowBytes, _bitsPerSecond) = (now, 0, NotMeasured);
        }
        else if (elapsed >= RateWindow)
        {
            _bitsPerSecond = (long)(_rateWindowBytes * 8 / elapsed.TotalSeconds);
            (_rateWindowStart, _rateWindowBytes) = (now, 0);
        }

        _rateWindowBytes += bytes;
    }

    internal Publisher AttachFirstPublisher(PublisherInfo info)
    {
        lock (_sync)
        {
            var publisher = new Publisher(this, info, _time);
            Publisher = publisher;
            PublisherCount = 1;
            StartTrackWait();
            return publisher;
        }
    }

    /// <summary>Attaches a publisher to an existing stream; null result means this stream has ended.</summary>
    internal (PublishResult Result, Publisher? Publisher)? TryAttachPublisher(PublisherInfo info)
    {
        var attached = AttachLocked(info, out var replaced);
        replaced?.Revoke("replaced by a new publisher on the same key"); // outside the lock, as in End
        return attached;
    }

    private (PublishResult Result, Publisher? Publisher)? AttachLocked(PublisherInfo info, out Publisher? replaced)
    {
        replaced = null;
        lock (_sync)
        {
            PublishResult result;
            switch (State)
            {
                case HubStreamState.Ended:
                    return null;
                case HubStreamState.Reconnecting:
                    _reconnectTimer?.Dispose();
                    _reconnectTimer = null;
                    result = PublishResult.Resumed;
                    break;
                default:
                    if (Publisher is { } current && current.SilentFor < _options.StalePublisherTimeout)
                    {
                        return (PublishResult.AlreadyPublishing, null);
                    }

                    replaced = Publisher;
                    EndIngestRun();
                    EndRtpSource();
                    result = PublishResult.TookOver;
                    break;
            }

            var publisher = new Publisher(this, info, _time);
            Publisher = publisher;
            PublisherCount++;
            State = HubStreamState.Live;
            _needsOffset = true;
            ClearGop();
            ReleaseHeld();
            FanOutControl(MediaFrameKind.PublisherResumed, null);
            return (result, publisher);
        }
    }

    internal void SetVideoConfig(Publisher publisher, VideoTrackConfig config)
    {
        bool known = false;
        lock (_sync)
        {
            if (publisher != Publisher || config.IsSameAs(Video))
            {
                return;
            }

            Video = config;
            ClearGop();
            if (Holding)
            {
                ReleaseHeld(); // pictures of another configuration
                known = OpenIfConfigured();
            }
            else
            {
                FanOutControl(MediaFrameKind.VideoConfig, config);
            }
        }

        AfterTracksKnown(known);
    }

    internal void SetAudioConfig(Publisher publisher, AudioTrackConfig config)
    {
        bool known = false;
        lock (_sync)
        {
            if (publisher != Publisher || config.IsSameAs(Audio))
            {
                return;
            }

            Audio = config;
            if (Holding)
            {
                known = OpenIfConfigured();
            }
            else
            {
                FanOutControl(MediaFrameKind.AudioConfig, config);
            }
        }

        AfterTracksKnown(known);
    }

    internal void SetMetadata(Publisher publisher, StreamMetadata metadata)
    {
        lock (_sync)
        {
            if (publisher != Publisher)
            {
                return;
            }

            Metadata = metadata;
            if (!Holding)
            {
                FanOutControl(MediaFrameKind.Metadata, metadata);
            }
        }
    }

    /// <summary>
    /// A caption of the stream (what the server's transcription heard in it): a timed text frame to every reader, beside
    /// the publisher's media. False when the stream is not live, or still holds its media back (no reader has media to
    /// place it by yet).
    /// </summary>
    public bool WriteTimedText(TimedTextCue cue)
    {
        lock (_sync)
        {
            if (State != HubStreamState.Live || Holding)
            {
                return false;
            }

            FanOutControl(MediaFrameKind.TimedText, cue);
            return true;
        }
    }

    /// <summary>True once a video frame was presented out of decode order (B-frames), which WebRTC cannot carry.</summary>
    public bool VideoHasReordering { get; private set; }

    /// <summary>
    /// A reader needs a keyframe now (a WebRTC viewer joined or lost a picture): passed to a publisher that can make one
    /// (WebRTC sends PLI); RTMP publishers cannot, and the reader waits for the next.
    /// </summary>
    public void RequestKeyframe() => Publisher?.KeyframeRequested?.Invoke();

    internal void Write(Publisher publisher, MediaFrame frame)
    {
        bool known = false;
        lock (_sync)
        {
            if (publisher == Publisher && State == HubStreamState.Live)
            {
                if (_needsOffset)
                {
                    _timestampOffset = _lastTimestamp == long.MinValue ? 0 : _lastTimestamp + ResumeGapMilliseconds - frame.Timestamp;
                    _needsOffset = false;
                }

                long timestamp = frame.Timestamp + _timestampOffset;
                frame.Timestamp = timestamp;
                _lastTimestamp = Math.Max(_lastTimestamp, timestamp);
                if (_runStart == long.MinValue)
                {
                    _runStart = timestamp;
                }

                _runEnd = Math.Max(_runEnd, timestamp);
                Interlocked.Add(ref _bytesIn, frame.Length);
                Interlocked.Increment(ref _framesIn);
                Metrics.StreamingMetrics.FrameIn(frame.Length);
                frame.ReceivedAt = publisher.Touch(frame.Kind == MediaFrameKind.Video);
                MeasureRate(frame.ReceivedAt, frame.Length);
                if (frame.Kind == MediaFrameKind.Video && frame.CompositionOffset != 0)
                {
                    VideoHasReordering = true;
                }

                if (Holding)
                {
                    Hold(frame);
                }
                else
                {
                    known = Open(); // a publisher that declared nothing: its tracks are what it configured before its first frame
                    Pass(frame);
                }
            }
        }

        frame.Release();
        AfterTracksKnown(known);
    }

    internal void DetachPublisher(Publisher publisher, bool graceful)
    {
        bool left = false;
        lock (_sync)
        {
            if (publisher != Publisher || State != HubStreamState.Live)
            {
                return;
            }

            PublisherLeftAt = _time.GetUtcNow();
            EndRtpSource();
            ReleaseHeld();
            if (!graceful && _options.ReconnectWindow > TimeSpan.Zero)
            {
                Publisher = null;
                State = HubStreamState.Reconnecting;
                EndIngestRun();
                FanOutControl(MediaFrameKind.PublisherLeft, null);
                _reconnectTimer = _time.CreateTimer(
                    static state => ((HubStream)state!).End(StreamEndKind.PublisherLost, "the publisher did not reconnect within the reconnect window"),
                    this,
                    _options.ReconnectWindow,
                    Timeout.InfiniteTimeSpan);
                left = true;
            }
        }

        if (left)
        {
            _hub.NotifyPublisherLeft(this);
        }
        else if (graceful)
        {
            End(StreamEndKind.Unpublished, null);
        }
        else
        {
            End(StreamEndKind.PublisherLost, "the publisher disconnected");
        }
    }

    /// <summary>Records a publisher's error; it explains the ending if the publisher does not come back.</summary>
    internal void RecordPublisherError(Publisher publisher, string error)
    {
        lock (_sync)
        {
            if (publisher == Publisher)
            {
                LastPublisherError = error;
            }
        }
    }

    /// <summary>Ends the stream: the publisher is disconnected and readers see <see cref="MediaFrameKind.StreamEnded"/>.</summary>
    public void End(StreamEndKind kind, string? reason)
    {
        HubStreamReader[] readers;
        Publisher? revoked = null;
        lock (_sync)
        {
            if (State == HubStreamState.Ended)
            {
                return;
            }

            State = HubStreamState.Ended;
            EndKind = kind;
            EndReason = reason;
            EndedAt = _time.GetUtcNow();
            _reconnectTimer?.Dispose();
            _reconnectTimer = null;
            _tracksTimer?.Dispose();
            _tracksTimer = null;
            if (kind != StreamEndKind.Unpublished)
            {
                revoked = Publisher; // a publisher that unpublished keeps its connection; any other is disconnected, told why
            }

            Publisher = null;
            EndIngestRun();
            FanOutControl(MediaFrameKind.StreamEnded, reason);
            readers = _readers;
            _readers = [];
            _rtpReaders = [];
            (RtpVideo, RtpAudio) = (null, null);
            ClearGop();
            ReleaseHeld();
            ReleaseKeyframe();
        }

        // Outside the lock: revoking runs the publisher's callbacks (a WebRTC session closes, and its router tells the
        // transcripts and programs, which add and remove readers of streams: under this lock they deadlocked with them).
        revoked?.Revoke(reason ?? "the stream ended");
        foreach (var reader in readers)
        {
            reader.Complete();
        }

        _ended.Cancel();
        _tracksKnown.TrySetResult();
        _hub.OnStreamEnded(this);
    }

    private void EndIngestRun()
    {
        if (_runStart != long.MinValue)
        {
            _completedRunsMilliseconds += _runEnd - _runStart;
        }

        _runStart = long.MinValue;
        _runEnd = long.MinValue;
    }

    /// <summary>Keeps the frames since the newest keyframe (video streams only) for readers that join later.</summary>
    private void CacheGop(MediaFrame frame)
    {
        if (Video is null)
        {
            return;
        }

        if (frame.Kind == MediaFrameKind.Video && frame.IsKeyframe)
        {
            ClearGop();
        }
        else if (_gop.Count == 0 || _gopOverflow)
        {
            return;
        }

        if (_gopBytes + frame.Length > _options.MaxGopCacheBytes)
        {
            ClearGop();
            _gopOverflow = true;
            return;
        }

        _gop.Add(frame.Retain());
        _gopBytes += frame.Length;
    }

    private void ClearGop()
    {
        foreach (var frame in _gop)
        {
            frame.Release();
        }

        _gop.Clear();
        _gopBytes = 0;
        _gopOverflow = false;
    }
}
