using System.Buffers;
using Microsoft.Extensions.Logging;
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
/// Records a participant's source as it came, one file per track, nothing transcoded and no ffmpeg: its RTP is put back
/// in order and depacketized, then H.264 written into MP4 (<see cref="H264TrackFile"/>, as stream recordings are), VP8
/// and Opus into WebM (<see cref="WebmTrackFile"/>), each by a writer of its own off the RTP path. Timestamps are the
/// packets' own RTP timestamps, relative to the track's first frame.
/// </summary>
public sealed partial class TrackRecorder : IRtpSink, IAsyncDisposable
{
    private static readonly TimeSpan JitterWait = TimeSpan.FromMilliseconds(100);
    private readonly HubStream _stream;
    private readonly string _directory;
    private readonly string _baseName;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly HubStreamReader _reader;
    private readonly JitterBuffer _videoBuffer;
    private readonly JitterBuffer _audioBuffer;
    private Vp8RtpDepacketizer? _vp8;
    private H264RtpDepacketizer? _h264;
    private WebmTrackFile? _vp8File;
    private WebmTrackFile? _opusFile;
    private H264TrackFile? _h264File;
    private byte[]? _configuredSps;
    private byte[]? _configuredPps;
    private long _videoFirst = -1;
    private long _audioFirst = -1;
    private bool _stopped;

    /// <param name="earlier">How many recorders of the same peer's source wrote into <paramref name="directory"/> before
    /// this one (a source published again): its files are numbered after theirs.</param>
    public TrackRecorder(HubStream stream, string peerId, string source, string directory, TimeProvider time, ILogger logger, int earlier = 0)
    {
        _stream = stream;
        PeerId = peerId;
        Source = source;
        _directory = directory;
        _baseName = earlier == 0 ? $"{peerId}-{source}" : $"{peerId}-{source}-{earlier + 1}";
        _logger = logger;
        _videoBuffer = new JitterBuffer(512, JitterWait, time);
        _audioBuffer = new JitterBuffer(64, JitterWait, time);
        _reader = stream.AddRtpReader("track recorder", this);
        stream.RequestKeyframe();
    }

    public string PeerId { get; }

    /// <summary>The hub stream it reads.</summary>
    public HubStream Stream => _stream;

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

    /// <summary>Stops and lets the writers finish the files; returns what was recorded.</summary>
    public async Task<IReadOnlyList<RecordedTrack>> FinishAsync()
    {
        WebmTrackFile? vp8;
        WebmTrackFile? opus;
        H264TrackFile? h264;
        lock (_sync)
        {
            _stopped = true;
            (vp8, opus, h264) = (_vp8File, _opusFile, _h264File);
        }

        _reader.Dispose();
        var tracks = new List<RecordedTrack>();
        if (VideoCodec is { } codec && (vp8 is not null || h264 is not null))
        {
            string extension = vp8 is not null ? "webm" : "mp4";
            string path = Path.Combine(_directory, $"{_baseName}-video.{extension}");
            if (await (vp8 is not null ? vp8.FinishAsync(path) : h264!.FinishAsync(path)).ConfigureAwait(false) is { } error)
            {
                Log.TrackNotFinished(_logger, _baseName, error);
            }

            tracks.Add(Track("video", codec, extension));
        }

        if (opus is not null)
        {
            if (await opus.FinishAsync(Path.Combine(_directory, $"{_baseName}-audio.webm")).ConfigureAwait(false) is { } error)
            {
                Log.TrackNotFinished(_logger, _baseName, error);
            }

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
        foreach (var file in new[] { _vp8File, _opusFile }.OfType<WebmTrackFile>())
        {
            await file.StopAsync().ConfigureAwait(false);
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
        if (_vp8File is null && !frame.IsKeyframe)
        {
            ArrayPool<byte>.Shared.Return(frame.Buffer);
            return;
        }

        if (_vp8File is null)
        {
            var (width, height) = Vp8RtpDepacketizer.KeyframeSize(frame.Buffer.AsSpan(0, frame.Length));
            _vp8File = new WebmTrackFile(Path.Combine(_directory, $"{_baseName}-video.webm.part"), WebmTrack.Vp8(width, height));
        }

        // The depacketizer's buffer (ArrayPool's) goes to the file, which gives it back once written: nothing is copied.
        _vp8File.Write(frame.Buffer, frame.Length, VideoMs(frame.RtpTimestamp), frame.IsKeyframe);
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
        if (_opusFile is null)
        {
            _opusFile = new WebmTrackFile(Path.Combine(_directory, $"{_baseName}-audio.webm.part"), WebmTrack.Opus(channels: 2));
            _audioFirst = timestamp;
        }

        _opusFile.Write(opus, (uint)(timestamp - (uint)_audioFirst) / 48, keyframe: true);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "track {Track}: {Error}")]
        public static partial void TrackNotFinished(ILogger logger, string track, string error);
    }
}
