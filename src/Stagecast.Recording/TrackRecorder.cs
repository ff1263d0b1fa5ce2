using System.Buffers;
using Microsoft.Extensions.Logging;
using Stagecast.FfmpegProcesses;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.Codecs.Vp8;
using Stagecast.Media.Flv;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.Streaming.Rtp;

namespace Stagecast.Recording;

/// <summary>
/// Records a participant's source as it came, one file per track, nothing transcoded: its RTP is put back in order and
/// depacketized, then muxed by an ffmpeg child with stream copy: VP8 (from IVF) and Opus (from Ogg) into WebM, H.264
/// (from FLV) into MP4. Timestamps are the packets' own RTP timestamps, relative to the track's first frame.
/// </summary>
public sealed class TrackRecorder : IRtpSink, IAsyncDisposable
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

    /// <summary>Stops and lets ffmpeg finish the files; returns what was recorded.</summary>
    public async Task<IReadOnlyList<RecordedTrack>> FinishAsync()
    {
        FfmpegChild?[] processes;
        lock (_sync)
        {
            _stopped = true;
            processes = [_videoProcess, _audioProcess];
        }

        _reader.Dispose();
        foreach (var process in processes.OfType<FfmpegChild>())
        {
            await process.FinishAsync(FinishLimit).ConfigureAwait(false);
            await process.DisposeAsync().ConfigureAwait(false);
        }

        var tracks = new List<RecordedTrack>();
        if (processes[0] is not null && VideoCodec is { } codec)
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
    }

    private RecordedTrack Track(string kind, string codec, string extension)
    {
        string name = $"{_baseName}-{kind}.{extension}";
        string path = Path.Combine(_directory, name);
        return new RecordedTrack(PeerId, Source, kind, codec, name, File.Exists(path) ? new FileInfo(path).Length : null);
    }

    private FfmpegChild Start(string inputFormat, string kind, string extension, string outputFormat) =>
        _ffmpeg.Start($"{kind} track recorder", ["-f", inputFormat, "-i", "pipe:0", "-c", "copy", "-f", outputFormat, "-y", Path.Combine(_directory, $"{_baseName}-{kind}.{extension}")],
            _logger, maxQueuedWrites: 4096);

    private void HandleVideo(ReadOnlySpan<byte> packet, bool discontinuity)
    {
        if (!RtpHeader.TryGetLength(packet, out int headerLength) || headerLength > packet.Length - RtpHeader.PaddingLength(packet))
        {
            return;
        }

        var payload = packet[headerLength..(packet.Length - RtpHeader.PaddingLength(packet))];
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
                _videoProcess = Start("ivf", "video", "webm", "webm");
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
        try
        {
            if ((_videoProcess is null && !unit.IsKeyframe) || _h264!.Sps is not { } sps || _h264.Pps is not { } pps)
            {
                return;
            }

            Span<byte> header = stackalloc byte[FlvTagHeader.MaxLength];
            if (_videoProcess is null)
            {
                _videoProcess = Start("flv", "video", "mp4", "mp4");
                FlvFileWriter.WriteHeader(_videoProcess.Input, hasAudio: false, hasVideo: true);
                byte[] record = AvcDecoderConfigurationRecord.Build(sps, pps);
                int length = FlvTagHeader.WriteVideo(header, Stagecast.Media.Codecs.VideoCodec.H264, FlvPacketKind.SequenceStart, true, 0);
                FlvFileWriter.WriteTag(_videoProcess.Input, FlvTagType.Video, 0, header[..length], record);
            }

            int headerLength = FlvTagHeader.WriteVideo(header, Stagecast.Media.Codecs.VideoCodec.H264, FlvPacketKind.CodedFrames, unit.IsKeyframe, 0);
            FlvFileWriter.WriteTag(_videoProcess.Input, FlvTagType.Video, (uint)VideoMs(unit.RtpTimestamp), header[..headerLength], unit.Buffer.AsSpan(0, unit.Length));
            _videoProcess.Input.Commit();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(unit.Buffer);
        }
    }

    private void HandleAudio(ReadOnlySpan<byte> packet, bool discontinuity)
    {
        if (!RtpHeader.TryGetLength(packet, out int headerLength) || headerLength >= packet.Length - RtpHeader.PaddingLength(packet))
        {
            return;
        }

        var opus = packet[headerLength..(packet.Length - RtpHeader.PaddingLength(packet))];
        int samples = OpusPacket.SampleCount(opus);
        if (samples == 0)
        {
            return;
        }

        uint timestamp = RtpHeader.Timestamp(packet);
        if (_audioProcess is null)
        {
            _audioProcess = Start("ogg", "audio", "webm", "webm");
            _ogg = new OggOpusWriter();
            _ogg.WriteHeaders(_audioProcess.Input);
            _audioFirst = timestamp;
        }

        long granule = (uint)(timestamp - (uint)_audioFirst) + samples;
        _ogg!.WritePacket(_audioProcess.Input, opus, granule);
        _audioProcess.Input.Commit();
    }
}
