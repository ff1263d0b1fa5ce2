using System.Buffers;
using Microsoft.Extensions.Logging;
using Stagecast.Compositor.Video;
using Stagecast.FfmpegProcesses;
using Stagecast.Media;
using Stagecast.Media.Codecs;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.Compositor.Encoding;

/// <summary>Where the program's coded media goes (the compositor's outputs).</summary>
public interface IProgramSink
{
    void OnVideoConfig(VideoTrackConfig config);

    void OnAudioConfig(AudioTrackConfig config);

    /// <summary>A coded frame on the program's timeline; the sink takes ownership of the reference.</summary>
    void OnFrame(MediaFrame frame);
}

/// <summary>
/// Encodes the program with two ffmpeg child processes, one per track, so either can die and come back without the
/// other: raw I420 pictures become H.264 (x264, zerolatency, no B-frames, a keyframe every second), 16-bit PCM
/// becomes AAC-LC; both come back as FLV. Timestamps are the program's own: each picture's program time goes in a
/// queue as it is written and the n-th coded picture takes the n-th time (x264 here emits one picture per picture,
/// in order), audio frames count 1024 samples from where their encoder started. A process that dies is started again
/// with a later input (<see cref="SupervisedFfmpeg"/>), at that input's program time; the program carries on with, at
/// worst, a short freeze.
/// </summary>
public sealed class ProgramEncoder : IAsyncDisposable
{
    private readonly Lane _video;
    private readonly Lane _audio;

    public ProgramEncoder(FfmpegLauncher ffmpeg, int width, int height, int frameRate, int videoKbps, string preset, IProgramSink sink, TimeProvider time, ILogger logger)
    {
        Width = width;
        Height = height;
        string[] video =
        [
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", $"{width}x{height}", "-r", frameRate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "pipe:0",
            "-an", "-c:v", "libx264", "-preset", preset, "-tune", "zerolatency", "-profile:v", "main", "-bf", "0",
            "-g", frameRate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-keyint_min", frameRate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sc_threshold", "0",
            "-b:v", $"{videoKbps}k", "-maxrate", $"{videoKbps}k", "-bufsize", $"{videoKbps}k", "-pix_fmt", "yuv420p",
            "-fps_mode", "passthrough", "-flush_packets", "1", "-f", "flv", "-flvflags", "no_duration_filesize", "pipe:1",
        ];
        string[] audio =
        [
            "-f", "s16le", "-ar", "48000", "-ac", "2", "-i", "pipe:0",
            "-vn", "-c:a", "aac", "-profile:a", "aac_low", "-b:a", "128k", "-ar", "48000", "-ac", "2",
            "-flush_packets", "1", "-f", "flv", "-flvflags", "no_duration_filesize", "pipe:1",
        ];
        _video = new Lane("video encoder", ffmpeg, video, maxQueued: 4, mapsTimes: true, logger, (body, lane) =>
        {
            var packet = FlvVideoTag.Parse(body);
            if (packet.Kind == FlvPacketKind.SequenceStart)
            {
                sink.OnVideoConfig(VideoTrackConfig.Parse(packet.Codec, body.AsSpan(packet.DataOffset)));
            }
            else if (packet.Kind == FlvPacketKind.CodedFrames && body.Length > packet.DataOffset && lane.TakeTime() is var (ms, shown))
            {
                long now = time.GetTimestamp();
                foreach (long arrivedAt in shown ?? [])
                {
                    CompositorMetrics.Delay.Record(time.GetElapsedTime(arrivedAt, now).TotalSeconds);
                }

                sink.OnFrame(MediaFrame.Copy(MediaFrameKind.Video, body.AsSpan(packet.DataOffset), ms, packet.CompositionTime, packet.IsKeyframe));
            }
        }, FlvTagType.Video);
        _audio = new Lane("audio encoder", ffmpeg, audio, maxQueued: 64, mapsTimes: false, logger, (body, lane) =>
        {
            var packet = FlvAudioTag.Parse(body);
            if (packet.Kind == FlvPacketKind.SequenceStart)
            {
                sink.OnAudioConfig(AudioTrackConfig.ParseAac(body.AsSpan(packet.DataOffset)));
            }
            else if (packet.Kind == FlvPacketKind.CodedFrames && body.Length > packet.DataOffset)
            {
                long ms = lane.StartMs + (lane.Produced++ * 1024 * 1000 / 48000);
                sink.OnFrame(MediaFrame.Copy(MediaFrameKind.Audio, body.AsSpan(packet.DataOffset), ms, 0, isKeyframe: true));
            }
        }, FlvTagType.Audio);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Encoder processes started again after one died.</summary>
    public int Restarts => _video.Restarts + _audio.Restarts;

    /// <summary>The video encoder's process id (tests kill it).</summary>
    public int? VideoProcessId => _video.ProcessId;

    /// <summary>
    /// Queues a picture taken at <paramref name="programMs"/>; false when the encoder is behind and it was dropped.
    /// <paramref name="shown"/>: when the participants' frames it shows for the first time arrived (for the delay figure).
    /// </summary>
    public bool WritePicture(I420Image picture, long programMs, long[]? shown = null)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(picture.Data.Length);
        picture.Data.CopyTo(buffer, 0);
        return _video.Write(buffer, picture.Data.Length, programMs, shown);
    }

    /// <summary>Queues 16-bit stereo PCM that starts at <paramref name="programMs"/>.</summary>
    public void WriteAudio(ReadOnlySpan<byte> pcm, long programMs)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(pcm.Length);
        pcm.CopyTo(buffer);
        _audio.Write(buffer, pcm.Length, programMs, null);
    }

    public async ValueTask DisposeAsync()
    {
        await _video.DisposeAsync().ConfigureAwait(false);
        await _audio.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One ffmpeg encoding one track, restarted when it dies.</summary>
    /// <remarks>With <paramref name="mapsTimes"/>, each input's program time waits in a queue for its output (video);
    /// otherwise outputs count from <see cref="StartMs"/> (audio).</remarks>
    private sealed class Lane : IAsyncDisposable
    {
        private readonly Lock _sync = new();
        private readonly Queue<(long Ms, long[]? Shown)> _times = new();
        private readonly SupervisedFfmpeg _ffmpeg;
        private readonly string _name;
        private readonly int _maxQueued;
        private readonly bool _mapsTimes;
        private readonly ILogger _logger;
        private readonly Action<byte[], Lane> _onTag;
        private readonly FlvTagType _tagType;

        public Lane(string name, FfmpegLauncher ffmpeg, string[] arguments, int maxQueued, bool mapsTimes, ILogger logger, Action<byte[], Lane> onTag, FlvTagType tagType)
        {
            _name = name;
            _maxQueued = maxQueued;
            _mapsTimes = mapsTimes;
            _logger = logger;
            _onTag = onTag;
            _tagType = tagType;
            _ffmpeg = new SupervisedFfmpeg(ffmpeg, $"program's {name}", () => arguments, ReadAsync, logger, maxQueued);
        }

        public int Restarts => _ffmpeg.Restarts;

        public long StartMs { get; private set; }

        public long Produced { get; set; }

        public int? ProcessId => _ffmpeg.ProcessId;

        /// <summary>The program time (and what it showed first) of the oldest input not yet matched to an output.</summary>
        public (long Ms, long[]? Shown)? TakeTime()
        {
            lock (_sync)
            {
                return _times.TryDequeue(out var entry) ? entry : null;
            }
        }

        public bool Write(byte[] pooled, int length, long programMs, long[]? shown)
        {
            lock (_sync)
            {
                if (_ffmpeg.Acquire(mayStart: true, out bool started) is not { } child || child.Queued >= _maxQueued)
                {
                    ArrayPool<byte>.Shared.Return(pooled);
                    return false; // stopped, pausing after a crash, or behind: this input is skipped, and its time with it
                }

                if (started)
                {
                    _times.Clear();
                    StartMs = programMs;
                    Produced = 0;
                }

                if (_mapsTimes)
                {
                    _times.Enqueue((programMs, shown));
                }

                return child.TryWriteOwned(pooled, length);
            }
        }

        public ValueTask DisposeAsync() => _ffmpeg.DisposeAsync();

        private async Task ReadAsync(FfmpegChild child)
        {
            try
            {
                bool header = false;
                while (true)
                {
                    var result = await child.Output.ReadAsync().ConfigureAwait(false);
                    var buffer = result.Buffer;
                    if (!header)
                    {
                        header = FlvFileReader.TryReadHeader(ref buffer);
                    }

                    while (header && FlvFileReader.TryReadTag(ref buffer, out var tag))
                    {
                        if (tag.Type == _tagType)
                        {
                            _onTag(tag.Data.ToArray(), this);
                        }
                    }

                    child.Output.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is MediaFormatException or IOException or InvalidOperationException)
            {
                CompositorLog.EncoderReadFailed(_logger, ex, _name);
            }
        }
    }
}
