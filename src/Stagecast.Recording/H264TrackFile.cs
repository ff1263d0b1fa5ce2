using System.Threading.Channels;
using Stagecast.Media.Codecs;
using Stagecast.Media.Fmp4;
using Stagecast.Streaming;

namespace Stagecast.Recording;

/// <summary>
/// A track recording's H.264, written in process as a stream recording is (no ffmpeg: nothing is decoded): access
/// units and configurations queued from the RTP path, which never waits on the disk, written as fragmented MP4 by a
/// pump of their own (<see cref="Fmp4FileWriter"/>), then finished into an MP4 with its index in front
/// (<see cref="RecordingFinisher"/>). A configuration after the first (the browser's encoder at another size) goes
/// in-band before the next keyframe.
/// </summary>
internal sealed class H264TrackFile
{
    /// <summary>Access units queued for the disk at most (about two minutes at 30 fps); past it they are dropped.</summary>
    private const int MaxQueuedFrames = 4096;

    private readonly Channel<MediaFrame> _queue = Channel.CreateBounded<MediaFrame>(
        new BoundedChannelOptions(MaxQueuedFrames) { SingleReader = true, SingleWriter = true });

    private readonly string _partPath;
    private readonly Task _pump;

    public H264TrackFile(string partPath)
    {
        _partPath = partPath;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Set when writing failed (the disk is full): why.</summary>
    public string? Error { get; private set; }

    /// <summary>The configuration of the access units queued next (the first one makes the file's sample entry).</summary>
    public void Configure(VideoTrackConfig config, long ms) => Queue(MediaFrame.Control(MediaFrameKind.VideoConfig, config, ms));

    /// <summary>Queues an access unit (length-prefixed NAL units); the file takes the frame's reference.</summary>
    public void Write(MediaFrame frame) => Queue(frame);

    /// <summary>Writes what is queued, then <paramref name="finalPath"/> with its index at the front; null when done, otherwise why not.</summary>
    public async Task<string?> FinishAsync(string finalPath)
    {
        await StopAsync().ConfigureAwait(false);
        return Error ?? await RecordingFinisher.FinishAsync(_partPath, finalPath).ConfigureAwait(false);
    }

    /// <summary>Writes what is queued and closes the file, unfinished.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }

    private void Queue(MediaFrame frame)
    {
        if (!_queue.Writer.TryWrite(frame))
        {
            frame.Release(); // the disk is that far behind, or the file is closed
        }
    }

    private async Task PumpAsync()
    {
        Fmp4FileWriter? file = null;
        try
        {
            await foreach (var frame in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    if (Error is null)
                    {
                        file = await WriteAsync(file, frame).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (FileFailure.Is(ex))
                {
                    Error = $"writing the track failed (is the disk full?): {ex.Message}";
                }
                finally
                {
                    frame.Release();
                }
            }

            if (file is not null && Error is null)
            {
                await file.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (FileFailure.Is(ex))
        {
            Error = $"writing the track failed (is the disk full?): {ex.Message}";
        }
        finally
        {
            file?.Dispose();
        }
    }

    private async ValueTask<Fmp4FileWriter?> WriteAsync(Fmp4FileWriter? file, MediaFrame frame)
    {
        if (frame.Kind == MediaFrameKind.VideoConfig)
        {
            var config = (VideoTrackConfig)frame.Detail!;
            if (file is null)
            {
                return Fmp4FileWriter.Create(_partPath, new TrackLayout(config, null));
            }

            file.ChangeVideo(config);
        }
        else if (file is not null)
        {
            await file.AddVideoAsync(frame, frame.Timestamp).ConfigureAwait(false);
        }

        return file;
    }
}
