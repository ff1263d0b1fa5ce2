using System.Buffers;
using Microsoft.Extensions.Logging;
using Stagecast.FfmpegProcesses;
using Stagecast.Media;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.Codecs.Vp8;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.Streaming.Rtp;

namespace Stagecast.Recording;

/// <summary>
/// Records a participant's source as it came, one file per track, nothing transcoded: its RTP is put back in order and
/// depacketized, then H.264 written into MP4 in process (<see cref="H264TrackFile"/>, as stream recordings are), VP8
/// (from IVF) and Opus (from Ogg) muxed into WebM by an ffmpeg child with stream copy (the fMP4 writers make no WebM).
/// Timestamps are the packets' own RTP timestamps, relative to the track's first frame.
/// </summary>
public sealed partial class TrackRecorder : IRtpSink, IAsyncDisposable
{
    /// <summary>How long ffmpeg may take, once its input ends, to write what it holds and exit.</summary>
    public static readonly TimeSpan FinishLimit = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan JitterWait = TimeSpan.FromMilliseconds(100);
    private readonly HubStream _stream;
    private readonly string _directory;
    private readonly string _baseName;
    private readonly FfmpegLauncher _ffmpeg;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly HubStreamReader _reader;
    private readonly JitterBuffer _videoBuffer;
    private readonly JitterBuffer _audioBuffer;
    private Vp8RtpDepacketizer? _vp8;
    private H264RtpDepacketizer? _h264;
    private FfmpegChild? _videoProcess;
    private FfmpegChild? _audioProcess;
    private H264TrackFile? _h264File;
    private byte[]? _configuredSps;
    private byte[]? _configuredPps;
    private OggOpusWriter? _ogg;
    private long _videoFirst = -1;
    private long _audioFirst = -1;
    private bool _stopped;

    public TrackRecorder(HubStream stream, string peerId, string source, string directory, FfmpegLauncher ffmpeg, TimeProvider time, ILogger logger)
    {
        _stream = stream;
        PeerId = peerId;
        Source = source;
        _directory = directory;
        _baseName = $"{peerId}-{source}";
        _ffmpeg = ffmpeg;
        _logger = logger;
        _videoBuffer = new JitterBuffer(512, JitterWait, time);
        _audioBuffer = new JitterBuffer(64, JitterWait, time);
        _reader = stream.AddRtpReader("track recorder", this);
        stream.RequestKeyframe();
    }

    public string PeerId { get; }

    public string Source { get; }

    public string? VideoCodec { get; private set; }

    public void OnRtp(ReadOnlySpan<byte> packet, bool video)
    {
        lock (_sync)
        {
            if (_stopped)
            {
                return;
            }

            var buffer = video ? _videoBuffer : _audioBuffer;
            if (buffer.Push(packet))
            {
                buffer.Drain(video ? HandleVideo : HandleAudio);
            }
        }
    }

    public void OnSenderReport(bool video, ulong ntpTime, uint rtpTimestamp)
    {
    }

    public void OnRtpSourceChanged()
    {
        lock (_sync)
        {
            _videoBuffer.Reset();
            _audioBuffer.Reset();
            _vp8?.Discontinuity();
            _h264?.Discontinuity();
        }
    }

    /// <summary>Stops and lets ffmpeg and the H.264 writer finish the files; returns what was recorded.</summary>
    public async Task<IReadOnlyList<RecordedTrack>> FinishAsync()
    {
        FfmpegChild?[] processes;
        H264TrackFile? h264;
        lock (_sync)
        {
            _stopped = true;
            processes = [_videoProcess, _audioProcess];
            h264 = _h264File;
        }

        _reader.Dispose();
        foreach (var process in processes.OfType<FfmpegChild>())
        {
            await process.FinishAsync(FinishLimit).ConfigureAwait(false);
            await process.DisposeAsync().ConfigureAwait(false);
        }

        if (h264 is not null && await h264.FinishAsync(Path.Combine(_directory, $"{_baseName}-video.mp4")).ConfigureAwait(false) is { } error)
        {
            Log.TrackNotFinished(_logger, _baseName, error);
        }

        var tracks = new List<RecordedTrack>();
        if ((processes[0] is not null || h264 is not null) && VideoCodec is { } codec)
        {
            tracks.Add(Track("video", codec, codec == "VP8" ? "webm" : "mp4"));
        }

        if (processes[1] is not null)
        {
            tracks.Add(Track("audio", "OPUS", "webm"));
        }

        return tracks;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_sync)
        {
            _stopped = true;
        }

        _reader.Dispose();
        foreach (var process in new[] { _videoProcess, _audioProcess }.OfType<FfmpegChild>())
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }

        if (_h264File is { } h264)
        {
            await h264.StopAsync().ConfigureAwait(false);
        }
    }

    private RecordedTrack Track(string kind, string codec, string extension)
    {
        string name = $"{_baseName}-{kind}.{extension}";
        string path = Path.Combine(_directory, name);
        return new RecordedTrack(PeerId, Source, kind, codec, name, File.Exists(path) ? new FileInfo(path).Length : null);
    }

    /// <summary>An ffmpeg remuxing <paramref name="inputFormat"/> into the track's WebM, stream copy.</summary>
    private FfmpegChild StartWebm(string inputFormat, string kind) =>
        _ffmpeg.Start($"{kind} track recorder", ["-f", inputFormat, "-i", "pipe:0", "-c", "copy", "-f", "webm", "-y", Path.Combine(_directory, $"{_baseName}-{kind}.webm")],
            _logger, maxQueuedWrites: 4096);

    private void HandleVideo(ReadOnlySpan<byte> packet, bool discontinuity)
    {
        if (!RtpHeader.TryGetPayload(packet, out var payload))
        {
            return;
        }

        uint timestamp = RtpHeader.Timestamp(packet);
        bool marker = RtpHeader.Marker(packet);
        VideoCodec ??= _stream.RtpVideo?.EncodingName.ToUpperInvariant();
        if (VideoCodec == "VP8")
        {
            _vp8 ??= new Vp8RtpDepacketizer();
            if (discontinuity)
            {
                _vp8.Discontinuity();
            }

            if (_vp8.Push(payload, timestamp, marker) is { } frame)
            {
                WriteVp8(frame);
            }
        }
        else if (VideoCodec == "H264")
        {
            _h264 ??= new H264RtpDepacketizer();
            if (discontinuity)
            {
                _h264.Discontinuity();
            }

            if (_h264.Push(payload, timestamp, marker) is { } unit)
            {
                WriteH264(unit);
            }
        }

        if (_vp8?.WaitingForKeyframe == true || _h264?.WaitingForKeyframe == true)
        {
            _stream.RequestKeyframe();
        }
    }

    private long VideoMs(uint rtpTimestamp)
    {
        if (_videoFirst < 0)
        {
            _videoFirst = rtpTimestamp;
        }

        return (uint)(rtpTimestamp - (uint)_videoFirst) / 90;
    }

    private void WriteVp8(Vp8Frame frame)
    {
        try
        {
            if (_videoProcess is null && !frame.IsKeyframe)
            {
                return;
            }

            if (_videoProcess is null)
            {
                _videoProcess = StartWebm("ivf", "video");
                var (width, height) = Vp8RtpDepacketizer.KeyframeSize(frame.Buffer.AsSpan(0, frame.Length));
                IvfWriter.WriteHeader(_videoProcess.Input, width, height, 1000);
            }

            IvfWriter.WriteFrame(_videoProcess.Input, frame.Buffer.AsSpan(0, frame.Length), VideoMs(frame.RtpTimestamp));
            _videoProcess.Input.Commit();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame.Buffer);
        }
    }

    private void WriteH264(H264AccessUnit unit)
    {
        if ((_h264File is null && !unit.IsKeyframe) || _h264!.Sps is not { } sps || _h264.Pps is not { } pps || !Configure(sps, pps, unit.RtpTimestamp))
        {
            ArrayPool<byte>.Shared.Return(unit.Buffer);
            return;
        }

        // The depacketizer's buffer (ArrayPool's, which the frames' pool takes back) becomes the frame: nothing is copied.
        _h264File!.Write(MediaFrame.FromPooledBuffer(MediaFrameKind.Video, unit.Buffer, 0, unit.Length, VideoMs(unit.RtpTimestamp), 0, unit.IsKeyframe));
    }

    /// <summary>Starts the H.264 file at the first parameter sets, and gives it those that come later; false when they do not parse.</summary>
    private bool Configure(byte[] sps, byte[] pps, uint rtpTimestamp)
    {
        if (ReferenceEquals(sps, _configuredSps) && ReferenceEquals(pps, _configuredPps))
        {
            return true; // the depacketizer keeps new arrays only when the sets change
        }

        VideoTrackConfig config;
        try
        {
            config = VideoTrackConfig.Parse(Stagecast.Media.Codecs.VideoCodec.H264, AvcDecoderConfigurationRecord.Build(sps, pps));
        }
        catch (MediaFormatException)
        {
            return false;
        }

        _h264File ??= new H264TrackFile(Path.Combine(_directory, $"{_baseName}-video.mp4.part"));
        _h264File.Configure(config, VideoMs(rtpTimestamp));
        (_configuredSps, _configuredPps) = (sps, pps);
        return true;
    }

    private void HandleAudio(ReadOnlySpan<byte> packet, bool discontinuity)
    {
        if (!RtpHeader.TryGetPayload(packet, out var opus) || opus.IsEmpty)
        {
            return;
        }

        int samples = OpusPacket.SampleCount(opus);
        if (samples == 0)
        {
            return;
        }

        uint timestamp = RtpHeader.Timestamp(packet);
        if (_audioProcess is null)
        {
            _audioProcess = StartWebm("ogg", "audio");
            _ogg = new OggOpusWriter();
            _ogg.WriteHeaders(_audioProcess.Input);
            _audioFirst = timestamp;
        }

        long granule = (uint)(timestamp - (uint)_audioFirst) + samples;
        _ogg!.WritePacket(_audioProcess.Input, opus, granule);
        _audioProcess.Input.Commit();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "track {Track}: {Error}")]
        public static partial void TrackNotFinished(ILogger logger, string track, string error);
    }
}
