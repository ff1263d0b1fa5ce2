using System.Buffers;
using Microsoft.Extensions.Logging;
using Stagecast.Compositor.Audio;
using Stagecast.Compositor.Video;
using Stagecast.FfmpegProcesses;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.Vp8;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.Streaming.Audio;
using Stagecast.Streaming.Rtp;

namespace Stagecast.Compositor;

/// <summary>
/// What the program takes from one participant's source (its camera or its screen share): an RTP reader of its
/// stream in the meeting hub that puts packets back in order, decodes the video through a <see cref="VideoDecoder"/>
/// into the newest picture and the Opus audio in process (<see cref="OpusRtpDecoder"/>: its gaps concealed on the
/// stream's timeline) into an <see cref="AudioInput"/>. Runs inline on the
/// publisher's receive thread and never blocks it (the decoder is fed through a bounded queue). Asks the publisher for
/// a keyframe when it needs one to start or after a loss.
/// </summary>
public sealed class ParticipantFeed : IRtpSink, IAsyncDisposable
{
    // Video waits long enough for a NACKed packet's retransmission (the SFU asks on its 250 ms feedback tick): each loss
    // skipped costs the program a keyframe round trip, and the program is a broadcast, where a gap's wait costs little.
    // Audio is not retransmitted: its gaps are skipped soon.
    private static readonly TimeSpan VideoJitterWait = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan AudioJitterWait = TimeSpan.FromMilliseconds(60);
    private static readonly TimeSpan KeyframeInterval = TimeSpan.FromMilliseconds(500);

    private readonly HubStream _stream;
    private readonly FfmpegLauncher _ffmpeg;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly HubStreamReader _reader;
    private readonly JitterBuffer _videoBuffer;
    private readonly OpusRtpDecoder _audio;
    private readonly I420Image _latest;
    private readonly int _width;
    private readonly int _height;
    private VideoDecoder? _decoder;
    private H264RtpDepacketizer? _h264;
    private Vp8RtpDepacketizer? _vp8;
    private string? _codec;
    private readonly Queue<long> _decoding = new(); // when each frame in the decoder arrived, oldest first
    private long _pictureAt;
    private long _pictureArrivedAt;
    private long _drawnPicture;
    private long _keyframeAskedAt;
    private bool _disposed;

    public ParticipantFeed(HubStream stream, FfmpegLauncher ffmpeg, int width, int height, TimeProvider time, ILogger logger)
    {
        _stream = stream;
        _ffmpeg = ffmpeg;
        _width = width;
        _height = height;
        _time = time;
        _logger = logger;
        _latest = new I420Image(width, height);
        _videoBuffer = new JitterBuffer(512, VideoJitterWait, time);
        _audio = new OpusRtpDecoder(AudioJitterWait, time, (pcm, _) => Audio.Write(pcm));
        _reader = stream.AddRtpReader("compositor", this);
        AskForKeyframe();
    }

    public string StreamId => _stream.Id;

    public AudioInput Audio { get; } = new();

    /// <summary>Pictures decoded so far.</summary>
    public long Pictures { get; private set; }

    /// <summary>The video decoder's process id, when one runs (tests kill it).</summary>
    public int? DecoderProcessId => _decoder?.ProcessId;

    /// <summary>
    /// Draws the newest picture into <paramref name="target"/> when one arrived within <paramref name="maxAge"/>;
    /// false when there is none that recent (the caller draws the name tile). <paramref name="arrivedAt"/> is when
    /// the picture's coded frame reached the server, the first time this picture is drawn (0 after that).
    /// </summary>
    public bool TryDraw(I420Image canvas, PixelRect target, TimeSpan maxAge, out long arrivedAt)
    {
        lock (_sync)
        {
            arrivedAt = 0;
            if (_pictureAt == 0 || _time.GetElapsedTime(_pictureAt) > maxAge)
            {
                return false;
            }

            canvas.Draw(_latest, target);
            if (_drawnPicture != Pictures)
            {
                _drawnPicture = Pictures;
                arrivedAt = _pictureArrivedAt;
            }

            return true;
        }
    }

    public void OnRtp(ReadOnlySpan<byte> packet, bool video)
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            if (!video)
            {
                _audio.Push(packet);
            }
            else if (_videoBuffer.Push(packet))
            {
                _videoBuffer.Drain(HandleVideo);
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
            // Another publish of the source (a new session): new numbers, maybe another codec; start from its keyframe.
            _codec = null;
            _h264 = null;
            _vp8 = null;
            var decoder = _decoder;
            _decoder = null;
            _decoding.Clear();
            _ = decoder?.DisposeAsync().AsTask();
            _videoBuffer.Reset();
            _audio.Reset();
        }

        AskForKeyframe();
    }

    public void OnRtpRestarted(bool video)
    {
        lock (_sync)
        {
            if (video)
            {
                _videoBuffer.Reset();
                _h264?.Discontinuity();
                _vp8?.Discontinuity();
            }
            else
            {
                _audio.Reset();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        VideoDecoder? decoder;
        lock (_sync)
        {
            _disposed = true;
            decoder = _decoder;
            _decoder = null;
            _audio.Dispose();
        }

        _reader.Dispose();
        if (decoder is not null)
        {
            await decoder.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void HandleVideo(ReadOnlySpan<byte> packet, bool discontinuity)
    {
        if (!RtpHeader.TryGetPayload(packet, out var payload))
        {
            return;
        }

        uint timestamp = RtpHeader.Timestamp(packet);
        bool marker = RtpHeader.Marker(packet);
        if (_codec is null)
        {
            _codec = _stream.RtpVideo?.EncodingName.ToUpperInvariant();
            if (_codec is not ("VP8" or "H264"))
            {
                return;
            }

            _decoder = new VideoDecoder(_ffmpeg, _codec, _width, _height, OnPicture, _logger);
            _h264 = _codec == "H264" ? new H264RtpDepacketizer() : null;
            _vp8 = _codec == "VP8" ? new Vp8RtpDepacketizer() : null;
        }

        if (_vp8 is { } vp8)
        {
            if (discontinuity)
            {
                vp8.Discontinuity();
            }

            if (vp8.Push(payload, timestamp, marker) is { } frame)
            {
                Decode(frame.Buffer, frame.Length, frame.IsKeyframe, null, null);
            }
        }
        else if (_h264 is { } h264)
        {
            if (discontinuity)
            {
                h264.Discontinuity();
            }

            if (h264.Push(payload, timestamp, marker) is { } unit)
            {
                Decode(unit.Buffer, unit.Length, unit.IsKeyframe, h264.Sps, h264.Pps);
            }
        }

        if (_decoder?.NeedsKeyframe == true || _vp8?.WaitingForKeyframe == true || _h264?.WaitingForKeyframe == true)
        {
            AskForKeyframe();
        }
    }

    private void Decode(byte[] pooled, int length, bool keyframe, byte[]? sps, byte[]? pps)
    {
        try
        {
            if (_decoder is { } decoder)
            {
                if (decoder.NeedsKeyframe)
                {
                    _decoding.Clear(); // a new decoder process: nothing of the old one comes out
                }

                if (decoder.Push(pooled.AsSpan(0, length), keyframe, sps, pps) && _decoding.Count < 64)
                {
                    _decoding.Enqueue(_time.GetTimestamp());
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pooled);
        }
    }

    private void OnPicture(I420Image picture)
    {
        lock (_sync)
        {
            picture.Data.CopyTo(_latest.Data, 0);
            _pictureAt = _time.GetTimestamp();
            _pictureArrivedAt = _decoding.TryDequeue(out long arrived) ? arrived : 0;
            Pictures++;
        }
    }

    private void AskForKeyframe()
    {
        long now = _time.GetTimestamp();
        if (_keyframeAskedAt != 0 && _time.GetElapsedTime(_keyframeAskedAt, now) < KeyframeInterval)
        {
            return;
        }

        _keyframeAskedAt = now;
        _stream.RequestKeyframe();
    }
}
