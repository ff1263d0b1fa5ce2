using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.FfmpegProcesses;

/// <summary>
/// Feeds a live stream's AAC to an ffmpeg as FLV, audio alone, from its construction until disposed or the stream
/// ends: a reader of the stream from now on, and a child of <paramref name="ffmpeg"/> started at the first frame (again
/// after one died) that gets the FLV header and the AAC configuration first. Its users read what ffmpeg makes of it
/// (Opus for WHEP viewers, PCM for captions) and place it on the stream's timeline from <see cref="FirstMs"/>.
/// </summary>
public sealed class AacFeed : IAsyncDisposable
{
    private readonly HubStream _stream;
    private readonly SupervisedFfmpeg _ffmpeg;
    private readonly Action<MediaFrame>? _fed;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private long _firstMs = long.MinValue;

    /// <param name="readerName">The stream reader's name (in the stream's diagnostics).</param>
    /// <param name="fed">Called with each frame just before it is written, on the feed's reader.</param>
    public AacFeed(HubStream stream, SupervisedFfmpeg ffmpeg, string readerName, Action<MediaFrame>? fed = null)
    {
        _stream = stream;
        _ffmpeg = ffmpeg;
        _fed = fed;
        _pump = Task.Run(() => RunAsync(readerName));
    }

    /// <summary>The stream time of the first frame fed to the running ffmpeg (where its output starts); <see cref="long.MinValue"/> before any.</summary>
    public long FirstMs => Volatile.Read(ref _firstMs);

    /// <summary>Stops feeding (the ffmpeg is its owner's to stop).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task RunAsync(string readerName)
    {
        using var reader = _stream.AddReader(readerName, new ReaderOptions { MaxQueuedFrames = 256, StartWithCachedGop = false });
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        Feed(frame);
                    }
                    finally
                    {
                        frame.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Writes an AAC frame to ffmpeg as FLV, after the FLV header and the configuration when ffmpeg starts with it.</summary>
    private void Feed(MediaFrame frame)
    {
        if (frame.Kind != MediaFrameKind.Audio || _stream.Audio is not { } config || _ffmpeg.Acquire(mayStart: true, out bool started) is not { } child)
        {
            return;
        }

        if (started)
        {
            Volatile.Write(ref _firstMs, frame.Timestamp);
        }

        _fed?.Invoke(frame);
        if (started)
        {
            FlvFileWriter.WriteHeader(child.Input, hasAudio: true, hasVideo: false);
            FlvFileWriter.WriteAacConfig(child.Input, config.SpecificConfig);
        }

        FlvFileWriter.WriteAacFrame(child.Input, (uint)Math.Max(0, frame.Timestamp - _firstMs), frame.Span);
        child.Input.Commit();
    }
}
