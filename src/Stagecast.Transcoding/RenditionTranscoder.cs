using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Stagecast.FfmpegProcesses;
using Stagecast.Media.Codecs;
using Stagecast.Streaming;
using Stagecast.Streaming.MpegTs;
using Stagecast.Streaming.Renditions;
using Stagecast.Transcoding.Encoders;

namespace Stagecast.Transcoding;

/// <summary>
/// One source stream's encodes, for the stream's whole life. A queued reader of the source (the ingest never waits
/// for it) turns its frames into MPEG-TS (<see cref="TsEgress"/>) for one supervised ffmpeg that makes every encode
/// (<see cref="TranscodeArguments"/>); ffmpeg's MPEG-TS comes back, one video stream per encode, and each is published
/// into the rendition hub at its source frame's time (<see cref="RenditionOutput"/>). When ffmpeg's input queue is full
/// the source's frames are dropped up to the next keyframe (and counted); when ffmpeg dies another starts at a later
/// keyframe (<see cref="SupervisedFfmpeg"/>), and the renditions go on through the same publishers. Encodes are chosen
/// at the source's first video configuration: those of the ladder no taller than the source.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "RunAsync disposes its ffmpeg when it ends, and nothing else holds it")]
internal sealed partial class RenditionTranscoder
{
    /// <summary>Writes (a frame each) waiting for ffmpeg's stdin: about 3 s of 30 fps video with its audio.</summary>
    internal const int MaxQueuedWrites = 256;

    private readonly HubStream _source;
    private readonly StreamLadder _ladder;
    private readonly RenditionTranscoders _context;
    private readonly VideoEncoder _encoder;
    private readonly TsEgress _egress = new();
    private readonly ArrayBufferWriter<byte> _nothingWritten = new(1);
    private RenditionOutput[] _outputs = [];
    private SupervisedFfmpeg? _ffmpeg;
    private VideoTrackConfig? _video;
    private bool _childHasAudio;
    private bool _waitForKeyframe;

    public RenditionTranscoder(HubStream source, StreamLadder ladder, VideoEncoder encoder, RenditionTranscoders context)
    {
        _source = source;
        _ladder = ladder;
        _encoder = encoder;
        _context = context;
    }

    /// <summary>The running ffmpeg's process id, if one runs (diagnostics and tests).</summary>
    public int? ProcessId => _ffmpeg?.ProcessId;

    /// <summary>ffmpegs started after one died.</summary>
    public int Restarts => _ffmpeg?.Restarts ?? 0;

    /// <summary>Reads the source until it ends (or <paramref name="cancellationToken"/>: the server stops), then ends the renditions.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var reader = _source.AddReader("transcoder");
        try
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } frame)
            {
                try
                {
                    if (!Handle(frame))
                    {
                        return;
                    }
                }
                finally
                {
                    frame.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the server stops
        }
        finally
        {
            // The encodes are given back as the source ends, not once ffmpeg has exited (seconds on a busy machine): the
            // account's next broadcast, started as this one's status says it ended, gets its renditions.
            _context.Quota.Release(this);
            await StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Handles one frame of the source; false when there is nothing to encode for it.</summary>
    private bool Handle(MediaFrame frame)
    {
        switch (frame.Kind)
        {
            case MediaFrameKind.VideoConfig:
                var config = (VideoTrackConfig)frame.Detail!;
                if (_ffmpeg is null && !Start(config))
                {
                    return false;
                }

                if (_video is { } before && (before.Codec, before.Width, before.Height) != (config.Codec, config.Width, config.Height))
                {
                    TranscodeLog.SourceChanged(_context.Logger, _source.Id, config.Width, config.Height);
                    RestartFfmpeg();
                }

                _video = config;
                break;
            case MediaFrameKind.AudioConfig when _ffmpeg?.IsRunning == true && !_childHasAudio:
                RestartFfmpeg(); // it was started without audio: the next keyframe starts one with
                break;
            case MediaFrameKind.Video or MediaFrameKind.Audio:
                if (_ffmpeg is not null)
                {
                    Feed(frame);
                }

                return true;
        }

        _egress.Write(frame, _nothingWritten); // configurations: nothing is written
        return true;
    }

    /// <summary>
    /// Publishes the renditions that apply to the source and makes their ffmpeg (started at the first keyframe); or, when
    /// they would pass a quota (<see cref="RenditionQuota"/>), none: the source plays alone and the encodes say why.
    /// </summary>
    private bool Start(VideoTrackConfig config)
    {
        if (config.Codec is not (VideoCodec.H264 or VideoCodec.H265))
        {
            TranscodeLog.UnsupportedCodec(_context.Logger, _source.Id, config.Codec);
            return false;
        }

        var encodes = _ladder.Renditions.Where(r => !r.IsSource && r.AppliesTo(config.Height)).ToList();
        if (encodes.Count == 0)
        {
            TranscodeLog.NothingToEncode(_context.Logger, _source.Id, config.Height);
            return false;
        }

        if (!_context.Quota.TryTake(this, _ladder.Owner, encodes.Count, out string? refusal))
        {
            Refuse(encodes, refusal);
            return false;
        }

        _outputs = [.. encodes.Select(r => new RenditionOutput(r, _context.Publish(_source.Id, r), _context.Time.GetUtcNow()))];
        _ffmpeg = new SupervisedFfmpeg(_context.Ffmpeg, $"renditions of stream {_source.Id}", Arguments, ReadOutputAsync, _context.Logger, MaxQueuedWrites);
        TranscodeMetrics.TranscoderStarted();
        TranscodeLog.Started(_context.Logger, _source.Id, string.Join(", ", encodes.Select(r => $"{r.Name} {r.WidthFor(config.Width, config.Height)}x{r.Height}")), _encoder.FfmpegName());
        return true;
    }

    /// <summary>ffmpeg's arguments for the source as it is now (asked at each start, on the reading thread).</summary>
    private IReadOnlyList<string> Arguments()
    {
        _childHasAudio = _source.Audio is not null;
        var video = _video!;
        return TranscodeArguments.For(_encoder, _context.Options, [.. _outputs.Select(o => Encode.Of(o.Rendition, video.Width, video.Height))], _childHasAudio);
    }

    /// <summary>Gives one media frame to ffmpeg, or drops it when ffmpeg is behind (then up to the next keyframe).</summary>
    private void Feed(MediaFrame frame)
    {
        bool keyframe = frame.Kind == MediaFrameKind.Video && frame.IsKeyframe;
        if (frame.Kind == MediaFrameKind.Video)
        {
            SourceAt(frame.Timestamp + frame.CompositionOffset);
        }

        var child = _ffmpeg!.Acquire(mayStart: keyframe, out bool started);
        if (started)
        {
            _waitForKeyframe = false;
        }

        if (child is null)
        {
            return; // none runs: it starts at a keyframe, once any pause after a death has passed
        }

        if ((_waitForKeyframe && !keyframe) || child.Queued >= MaxQueuedWrites)
        {
            _waitForKeyframe = true;
            TranscodeMetrics.DroppedFrames.Add(1);
            return;
        }

        _waitForKeyframe = false;
        _egress.Write(frame, child.Input);
        child.Input.Commit();
    }

    /// <summary>Kills the running ffmpeg: the next keyframe starts one with the source's new layout.</summary>
    private void RestartFfmpeg()
    {
        if (_ffmpeg?.Acquire(mayStart: false, out _) is { } child)
        {
            child.Kill();
        }
    }

    private async Task StopAsync()
    {
        if (_ffmpeg is null)
        {
            return;
        }

        await _ffmpeg.DisposeAsync().ConfigureAwait(false);
        Stop();
        TranscodeMetrics.TranscoderStopped();
    }
}
