using System.Buffers;
using System.Threading.Channels;

namespace Stagecast.Recording;

/// <summary>
/// A track recording's VP8 or Opus, written in process as WebM (<see cref="WebmWriter"/>; no ffmpeg, nothing decoded):
/// frames queued from the RTP path, which never waits on the disk, written by a pump of their own into a
/// <c>.part</c> file, which becomes the track's file once finished.
/// </summary>
internal sealed class WebmTrackFile
{
    /// <summary>Frames queued for the disk at most (about two minutes of video at 30 fps, or of audio at 50 packets a second); past it they are dropped.</summary>
    private const int MaxQueuedFrames = 6000;

    private readonly Channel<(byte[] Buffer, int Length, long Ms, bool Keyframe)> _queue = Channel.CreateBounded<(byte[], int, long, bool)>(
        new BoundedChannelOptions(MaxQueuedFrames) { SingleReader = true, SingleWriter = true });

    private readonly string _partPath;
    private readonly WebmTrack _track;
    private readonly Task _pump;

    public WebmTrackFile(string partPath, WebmTrack track)
    {
        _partPath = partPath;
        _track = track;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Set when writing failed (the disk is full): why.</summary>
    public string? Error { get; private set; }

    /// <summary>Queues a frame whose bytes are <paramref name="length"/> of <paramref name="pooled"/>, an ArrayPool buffer the file takes.</summary>
    public void Write(byte[] pooled, int length, long ms, bool keyframe)
    {
        if (!_queue.Writer.TryWrite((pooled, length, ms, keyframe)))
        {
            ArrayPool<byte>.Shared.Return(pooled); // the disk is that far behind, or the file is closed
        }
    }

    /// <summary>Queues a copy of <paramref name="frame"/>.</summary>
    public void Write(ReadOnlySpan<byte> frame, long ms, bool keyframe)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(frame.Length);
        frame.CopyTo(copy);
        Write(copy, frame.Length, ms, keyframe);
    }

    /// <summary>Writes what is queued and finishes the file as <paramref name="finalPath"/>; null when done, otherwise why not.</summary>
    public async Task<string?> FinishAsync(string finalPath)
    {
        await StopAsync().ConfigureAwait(false);
        if (Error is not null)
        {
            return Error;
        }

        try
        {
            File.Move(_partPath, finalPath, overwrite: true);
            return null;
        }
        catch (Exception ex) when (FileFailure.Is(ex))
        {
            return $"finishing the track failed: {ex.Message}";
        }
    }

    /// <summary>Writes what is queued and closes the file (finished: its size and cues written), without naming it final.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }

    private async Task PumpAsync()
    {
        FileStream? file = null;
        WebmWriter? writer = null;
        try
        {
            await foreach (var (buffer, length, ms, keyframe) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    if (Error is null)
                    {
                        file ??= new FileStream(_partPath, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024);
                        writer ??= new WebmWriter(file, _track);
                        writer.Write(buffer.AsSpan(0, length), ms, keyframe);
                    }
                }
                catch (Exception ex) when (FileFailure.Is(ex))
                {
                    Error = $"writing the track failed (is the disk full?): {ex.Message}";
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            if (Error is null)
            {
                writer?.Finish();
            }
        }
        catch (Exception ex) when (FileFailure.Is(ex))
        {
            Error = $"writing the track failed (is the disk full?): {ex.Message}";
        }
        finally
        {
            if (file is not null)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
