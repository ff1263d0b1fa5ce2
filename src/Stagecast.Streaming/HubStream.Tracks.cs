namespace Stagecast.Streaming;

/// <summary>
/// The wait for a stream's tracks, in one place for every ingest. Readers lay out their tracks when media starts (an
/// LL-HLS init segment, a transcoder's ffmpeg), so a publisher declares its tracks before its first configuration and
/// the stream holds everything back (configurations, metadata and media) until each declared track is configured.
/// Then readers get the configurations and the held media from its newest keyframe on. A declared track that never
/// comes is given up <see cref="StreamHubOptions.TrackWait"/> after the stream began, and the stream goes on with the
/// tracks it has (a late one is a configuration change). The wait is timed by the clock, not by the media held: a
/// configuration that comes late comes from work (an ffmpeg making AAC of Opus, H.264 of VP8, a transcoder's
/// encodes), which takes time whatever media arrives meanwhile, and a publisher often sends what it queued while
/// connecting at once. A publisher that declares nothing (RTMP without metadata) has its tracks known at its first
/// media frame, as its sequence headers come before it. Either way <see cref="TracksKnown"/> is set once per stream and observers hear
/// <see cref="IHubStreamObserver.OnTracksKnown"/>: the signal the publish log and anything else describing a
/// stream's tracks waits for. A publisher taking over or resuming the stream declares nothing new.
/// </summary>
public sealed partial class HubStream
{
    private readonly List<MediaFrame> _held = [];
    private long _heldBytes;
    private ITimer? _tracksTimer;
    private StreamTracks _missingTracks;
    private readonly TaskCompletionSource _tracksKnown = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The held pictures went without a keyframe: pictures wait for the next one (readers that came before the video could not know to).</summary>
    private bool _wantsKeyframe;

    /// <summary>The tracks its publisher declared, or null when it declared none.</summary>
    public StreamTracks? DeclaredTracks { get; private set; }

    /// <summary>True once readers have the stream's tracks: every declared one configured, or given up (see the type).</summary>
    public bool TracksKnown { get; private set; }

    /// <summary>
    /// Completes once <see cref="TracksKnown"/> is set (at most <see cref="StreamHubOptions.TrackWait"/> after the stream's
    /// first publisher came), or when the stream ends first: what a player arriving at a stream just gone live waits for.
    /// </summary>
    public Task WhenTracksKnownAsync(CancellationToken cancellationToken) =>
        _tracksKnown.Task.WaitAsync(cancellationToken);

    /// <summary>Declared tracks awaited: configurations and media are held back from readers.</summary>
    private bool Holding => !TracksKnown && DeclaredTracks is not null;

    private StreamTracks ConfiguredTracks =>
        (Video is null ? StreamTracks.None : StreamTracks.Video) | (Audio is null ? StreamTracks.None : StreamTracks.Audio);

    /// <summary>Starts the bound of the wait for tracks (the stream's first publisher came).</summary>
    private void StartTrackWait() => _tracksTimer = _time.CreateTimer(
        static state => ((HubStream)state!).GiveUpWaitingForTracks(), this, _options.TrackWait, Timeout.InfiniteTimeSpan);

    internal void DeclareTracks(Publisher publisher, StreamTracks tracks)
    {
        bool known;
        lock (_sync)
        {
            // Only before anything reached readers: a declaration after a configuration would come too late to hold it.
            if (publisher != Publisher || TracksKnown || DeclaredTracks is not null || Video is not null || Audio is not null || Metadata is not null)
            {
                return;
            }

            DeclaredTracks = tracks;
            known = OpenIfConfigured();
        }

        AfterTracksKnown(known);
    }

    /// <summary>Opens the stream when every declared track is configured; caller holds <see cref="_sync"/>.</summary>
    private bool OpenIfConfigured()
    {
        return Holding && (DeclaredTracks!.Value & ~ConfiguredTracks) == StreamTracks.None && Open();
    }

    /// <summary>Holds a media frame of a stream whose tracks are awaited; caller holds <see cref="_sync"/>.</summary>
    private void Hold(MediaFrame frame)
    {
        if (frame.Kind == MediaFrameKind.Video && frame.IsKeyframe)
        {
            ReleaseHeld(); // readers start at the newest keyframe: nothing before it would reach them
        }

        if (_heldBytes + frame.Length <= _options.MaxGopCacheBytes)
        {
            _held.Add(frame.Retain());
            _heldBytes += frame.Length;
        }
        else
        {
            ReleaseHeld(); // more than a cached GOP may hold: readers will start at the next keyframe
        }
    }

    /// <summary>
    /// Readers get the tracks: the held configurations and metadata, then the held media from the newest keyframe (all
    /// of it for a stream without video); caller holds <see cref="_sync"/> and calls <see cref="AfterTracksKnown"/>.
    /// </summary>
    private bool Open()
    {
        if (TracksKnown)
        {
            return false;
        }

        _tracksTimer?.Dispose();
        _tracksTimer = null;
        if (!Holding)
        {
            TracksKnown = true;
            return true; // nothing was held back
        }

        _missingTracks = DeclaredTracks!.Value & ~ConfiguredTracks;
        if (Video is not null)
        {
            FanOutControl(MediaFrameKind.VideoConfig, Video);
        }

        if (Audio is not null)
        {
            FanOutControl(MediaFrameKind.AudioConfig, Audio);
        }

        if (Metadata is not null)
        {
            FanOutControl(MediaFrameKind.Metadata, Metadata);
        }

        // Held media starts at a keyframe (Hold keeps nothing older); without one, none of it would start a picture.
        int start = Video is null ? 0 : _held.FindIndex(f => f.Kind == MediaFrameKind.Video && f.IsKeyframe);
        _wantsKeyframe = start < 0 && _held.Exists(f => f.Kind == MediaFrameKind.Video);
        for (int i = start < 0 ? _held.Count : start; i < _held.Count; i++)
        {
            Pass(_held[i]);
        }

        ReleaseHeld();
        TracksKnown = true; // once every reader has what was held: a reader that sees it known finds its frames queued
        return true;
    }

    /// <summary>A frame to readers (and the GOP cache and the newest keyframe); caller holds <see cref="_sync"/>.</summary>
    private void Pass(MediaFrame frame)
    {
        if (frame.Kind == MediaFrameKind.Video)
        {
            if (_wantsKeyframe && !frame.IsKeyframe)
            {
                return;
            }

            _wantsKeyframe = false;
        }

        CacheGop(frame);
        KeepKeyframe(frame);
        FanOut(frame);
    }

    /// <summary>Tells the hub (outside <see cref="_sync"/>) that the tracks are known, when <paramref name="known"/> says they just became so.</summary>
    private void AfterTracksKnown(bool known)
    {
        if (!known)
        {
            return;
        }

        _tracksKnown.TrySetResult();
        _hub.NotifyTracksKnown(this, _missingTracks);
        if (_wantsKeyframe)
        {
            RequestKeyframe(); // what was held had no keyframe: a publisher that can make one is asked for it now
        }
    }

    private void GiveUpWaitingForTracks()
    {
        bool known;
        lock (_sync)
        {
            known = State != HubStreamState.Ended && Open();
        }

        AfterTracksKnown(known);
    }

    /// <summary>Lets the held media go; caller holds <see cref="_sync"/>.</summary>
    private void ReleaseHeld()
    {
        foreach (var frame in _held)
        {
            frame.Release();
        }

        _held.Clear();
        _heldBytes = 0;
    }
}
