using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Stagecast.FfmpegProcesses;
using Stagecast.Media.Codecs.Vp8;

namespace Stagecast.Compositor.Video;

/// <summary>
/// Decodes one participant's video with an ffmpeg child process: coded frames go in (VP8 in IVF, H.264 as Annex B),
/// pictures come out as raw I420 of one fixed size, the source letterboxed into it (so a participant changing
/// resolution changes nothing downstream). One decoding thread and no frame threading, so a picture comes out as soon
/// as its frame went in. A decoder starts at a keyframe; when its process dies, <see cref="NeedsKeyframe"/> says so
/// and a later keyframe starts another (<see cref="SupervisedFfmpeg"/>).
/// </summary>
public sealed class VideoDecoder : IAsyncDisposable
{
    /// <summary>
    /// Frames that may wait for the decoder, half a second at 30 fps. Past it a frame is not queued, nor any after it
    /// until a keyframe: a decoder that fell behind (a starved process) never gets a frame whose reference it was not
    /// given, which it would decode into corrupted blocks until the next keyframe (seen in programs at load 45).
    /// </summary>
    public const int MaxQueuedFrames = 15;

    private readonly bool _vp8;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly Action<I420Image> _onPicture;
    private readonly SupervisedFfmpeg _ffmpeg;
    private long _frames;
    private volatile bool _skipping;

    /// <param name="onPicture">Called on the decoder's reading thread with each picture; the image is reused after the call.</param>
    public VideoDecoder(FfmpegLauncher ffmpeg, string codec, int width, int height, Action<I420Image> onPicture, ILogger logger)
    {
        if (!codec.Equals("VP8", StringComparison.OrdinalIgnoreCase) && !codec.Equals("H264", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"no decoder for {codec}", nameof(codec));
        }

        _vp8 = codec.Equals("VP8", StringComparison.OrdinalIgnoreCase);
        Width = width;
        Height = height;
        _onPicture = onPicture;
        _logger = logger;
        _ffmpeg = new SupervisedFfmpeg(ffmpeg, "video decoder", Arguments, ReadAsync, logger, maxQueuedWrites: 64);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>True when no decoder runs (only a keyframe can start one), or it fell behind and waits for one (<see cref="MaxQueuedFrames"/>).</summary>
    public bool NeedsKeyframe => !_ffmpeg.IsRunning || _skipping;

    /// <summary>Decoder processes started after one died (crashes survived).</summary>
    public int Restarts => _ffmpeg.Restarts;

    /// <summary>The running process's id, for tests that kill it.</summary>
    public int? ProcessId => _ffmpeg.ProcessId;

    /// <summary>
    /// Queues a VP8 frame, or an H.264 access unit in AVCC form with its parameter sets (sent in front of keyframes).
    /// False when it was not taken: no decoder runs and this is not a keyframe, or the decoder is behind and this is not
    /// the keyframe it waits for (<see cref="MaxQueuedFrames"/>).
    /// </summary>
    public bool Push(ReadOnlySpan<byte> frame, bool keyframe, byte[]? sps = null, byte[]? pps = null)
    {
        lock (_sync)
        {
            if ((_skipping && !keyframe) || _ffmpeg.Acquire(mayStart: keyframe, out bool starting) is not { } child)
            {
                return false;
            }

            if (child.Queued >= MaxQueuedFrames)
            {
                _skipping = true;
                return false;
            }

            _skipping = false;

            int size = (_vp8 ? IvfWriter.FrameHeaderSize + (starting ? IvfWriter.HeaderSize : 0) : 0) + frame.Length + 64 + (sps?.Length ?? 0) + (pps?.Length ?? 0);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            int length = _vp8 ? WriteIvf(buffer, frame, starting) : WriteAnnexB(buffer, frame, keyframe, sps, pps);
            child.TryWriteOwned(buffer, length);
            _frames++;
            return true;
        }
    }

    public ValueTask DisposeAsync() => _ffmpeg.DisposeAsync();

    private List<string> Arguments() =>
    [
        "-threads", "1", "-flags", "low_delay", "-probesize", "32", "-analyzeduration", "0",
        "-f", _vp8 ? "ivf" : "h264", "-i", "pipe:0",
        "-an", "-filter_threads", "1",
        "-vf", $"scale={Width}:{Height}:force_original_aspect_ratio=decrease,pad={Width}:{Height}:(ow-iw)/2:(oh-ih)/2,format=yuv420p",
        "-fps_mode", "passthrough", "-flush_packets", "1", "-f", "rawvideo", "pipe:1",
    ];

    /// <summary>IVF for the decoder: the file header before the first frame (time base 1/30, unused: timestamps pass through), then the frame.</summary>
    private int WriteIvf(byte[] buffer, ReadOnlySpan<byte> frame, bool starting)
    {
        int at = 0;
        if (starting)
        {
            IvfWriter.WriteHeader(buffer, Width, Height, 30);
            at = IvfWriter.HeaderSize;
        }

        return at + IvfWriter.WriteFrame(buffer.AsSpan(at), frame, _frames);
    }

    private static int WriteAnnexB(byte[] buffer, ReadOnlySpan<byte> accessUnit, bool keyframe, byte[]? sps, byte[]? pps)
    {
        int at = 0;
        if (keyframe && sps is not null && pps is not null)
        {
            at = AppendNal(buffer, at, sps);
            at = AppendNal(buffer, at, pps);
        }

        // AVCC: 4-byte big-endian lengths; Annex B: start codes.
        while (accessUnit.Length >= 4)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(accessUnit);
            if (length <= 0 || length > accessUnit.Length - 4)
            {
                break;
            }

            at = AppendNal(buffer, at, accessUnit.Slice(4, length));
            accessUnit = accessUnit[(4 + length)..];
        }

        return at;
    }

    private static int AppendNal(byte[] buffer, int at, ReadOnlySpan<byte> nal)
    {
        buffer[at] = 0;
        buffer[at + 1] = 0;
        buffer[at + 2] = 0;
        buffer[at + 3] = 1;
        nal.CopyTo(buffer.AsSpan(at + 4));
        return at + 4 + nal.Length;
    }

    private async Task ReadAsync(FfmpegChild child)
    {
        var picture = new I420Image(Width, Height);
        int size = picture.Data.Length;
        try
        {
            while (true)
            {
                var result = await child.Output.ReadAtLeastAsync(size).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (buffer.Length >= size)
                {
                    buffer.Slice(0, size).CopyTo(picture.Data);
                    _onPicture(picture);
                    buffer = buffer.Slice(size);
                }

                child.Output.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            CompositorLog.DecoderReadFailed(_logger, ex);
        }
    }
}
