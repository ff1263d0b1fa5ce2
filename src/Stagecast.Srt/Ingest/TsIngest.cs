using Stagecast.Media;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Aac;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.MpegTs;
using Stagecast.Streaming;

namespace Stagecast.Srt.Ingest;

/// <summary>
/// Turns an MPEG-TS byte stream into what a publisher tells the hub, as <c>FlvIngest</c> does for RTMP: the video's
/// configuration record from its parameter sets and its access units as length-prefixed frames; each ADTS frame as
/// an AAC frame with its configuration; Opus handed to a transcoder. Timestamps go from 90 kHz to milliseconds, a
/// second after the first one seen (so a stream slightly earlier than the first stays positive). Readers lay out their
/// tracks when media starts, as RTMP's sequence headers let them: configurations always go through, but when the
/// program has both tracks, audio frames wait for the video's configuration and video waits for the audio's (at most
/// <see cref="ConfigurationWait"/> of media) and then starts at a keyframe. Malformed input throws
/// <see cref="MediaFormatException"/>; codecs the hub does not carry are reported once and skipped.
/// </summary>
public sealed class TsIngest(Publisher publisher, IOpusTranscoding? opus = null, Action<string, string>? unsupported = null) : IAsyncDisposable
{
    private const long OriginMargin = TsTimestamp.ClockRate;

    /// <summary>How long (in media time) one track waits for the other's configuration; as WHIP's ingest waits.</summary>
    private const long ConfigurationWait = 3 * TsTimestamp.ClockRate;

    private readonly TsDemuxer _demuxer = new();
    private AnnexBConverter? _video;
    private IOpusAudio? _opus;
    private long _origin = long.MinValue;
    private long _nextAudio = long.MinValue;
    private long _latest;
    private bool _sawKeyframe;
    private AdtsHeader _audioConfigOf;
    private bool _reportedStreams;
    private bool _reportedOpus;

    /// <summary>Video and audio frames taken from the stream so far (Opus packets included).</summary>
    public long Frames { get; private set; }

    /// <summary>PES packets lost to missing transport packets.</summary>
    public long DroppedPackets => _demuxer.DroppedPackets;

    /// <summary>Reads the bytes of one SRT message (or any part of the stream).</summary>
    public void Push(ReadOnlySpan<byte> data)
    {
        _demuxer.Push(data);
        while (_demuxer.TryRead(out var pes))
        {
            try
            {
                Handle(pes);
            }
            finally
            {
                MediaBufferPool.Shared.Return(pes.Buffer);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _demuxer.Dispose();
        if (_opus is not null)
        {
            await _opus.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Handle(TsPesPacket pes)
    {
        ReportUnsupportedStreams();
        if ((pes.Dts ?? pes.Pts) is { } timestamp)
        {
            _origin = _origin == long.MinValue ? timestamp - OriginMargin : _origin;
            Volatile.Write(ref _latest, timestamp);
        }

        switch (pes.Stream.Codec)
        {
            case TsCodec.H264 or TsCodec.H265 when pes.Pts is { } pts:
                Video(pes, pts, pes.Dts ?? pts);
                break;
            case TsCodec.Aac:
                Aac(pes);
                break;
            case TsCodec.Opus:
                Opus(pes);
                break;
        }
    }

    private void Video(TsPesPacket pes, long pts, long dts)
    {
        var codec = pes.Stream.Codec == TsCodec.H264 ? VideoCodec.H264 : VideoCodec.H265;
        if (_video?.Codec != codec)
        {
            _video = new AnnexBConverter(codec);
        }

        if (!_video.TryConvert(pes.Payload, out byte[]? buffer, out int length, out bool keyframe))
        {
            return;
        }

        if (_video.ParameterSetsChanged && _video.ConfigurationRecord() is { } record)
        {
            _video.ParameterSetsChanged = false;
            publisher.SetVideoConfig(VideoTrackConfig.Parse(codec, record));
        }

        if (publisher.Stream.Video?.Codec != codec || HoldVideo() || !(_sawKeyframe |= keyframe))
        {
            MediaBufferPool.Shared.Return(buffer!);
            return; // no parameter sets yet, the audio's configuration is awaited, or no keyframe yet
        }

        Frames++;
        publisher.Write(MediaFrame.FromPooledBuffer(MediaFrameKind.Video, buffer!, 0, length, Milliseconds(dts), (int)((pts - dts) / 90), keyframe));
    }

    private void Aac(TsPesPacket pes)
    {
        ReadOnlySpan<byte> payload = pes.Payload;
        long time = pes.Pts ?? _nextAudio;
        while (AdtsHeader.TryParse(payload, out var header))
        {
            if (header.FrameLength > payload.Length)
            {
                throw new MediaFormatException($"ADTS frame of {header.FrameLength} bytes exceeds its PES packet");
            }

            SetAudioConfig(header);
            if (time != long.MinValue && !HoldAudio())
            {
                Frames++;
                publisher.Write(MediaFrame.Copy(MediaFrameKind.Audio, payload.Slice(header.HeaderLength, header.PayloadLength), Milliseconds(time), 0, isKeyframe: true));
            }

            time = time == long.MinValue ? time : time + (1024L * TsTimestamp.ClockRate / header.SampleRate);
            payload = payload[header.FrameLength..];
        }

        _nextAudio = time;
    }

    private void Opus(TsPesPacket pes)
    {
        if (opus is null)
        {
            if (!_reportedOpus)
            {
                _reportedOpus = true;
                unsupported?.Invoke("audio", "Opus (no transcoder to AAC)");
            }

            return;
        }

        _opus ??= opus.Start(publisher, HoldAudio);
        ReadOnlySpan<byte> payload = pes.Payload;
        long time = pes.Pts ?? _nextAudio;
        while (OpusAccessUnits.TryRead(ref payload, out var packet))
        {
            int samples = OpusPacket.SampleCount(packet);
            if (time != long.MinValue && samples > 0)
            {
                Frames++;
                _opus.Push(packet, time * OpusPacket.SampleRate / TsTimestamp.ClockRate, Milliseconds(time));
                time += (long)samples * TsTimestamp.ClockRate / OpusPacket.SampleRate;
            }
        }

        _nextAudio = time;
    }

    /// <summary>Tells the hub the configuration ADTS headers describe, when it differs from the last one (not per frame).</summary>
    private void SetAudioConfig(AdtsHeader header)
    {
        if (publisher.Stream.Audio is null || header with { FrameLength = 0, HeaderLength = 0 } != _audioConfigOf)
        {
            _audioConfigOf = header with { FrameLength = 0, HeaderLength = 0 };
            publisher.SetAudioConfig(AudioTrackConfig.ParseAac(header.AudioSpecificConfig()));
        }
    }

    /// <summary>Audio frames wait for the video's configuration when the program has video (called by the Opus transcoder too).</summary>
    private bool HoldAudio() => _demuxer.Video is not null && publisher.Stream.Video is null && Waiting();

    /// <summary>Video waits for the audio's configuration when the program has audio, and then starts at a keyframe.</summary>
    private bool HoldVideo()
    {
        bool hold = _demuxer.Audio is not null && publisher.Stream.Audio is null && Waiting();
        _sawKeyframe &= !hold;
        return hold;
    }

    private bool Waiting() => Volatile.Read(ref _latest) - (_origin + OriginMargin) < ConfigurationWait;

    private long Milliseconds(long timestamp) => Math.Max(0, (timestamp - _origin) / 90);

    private void ReportUnsupportedStreams()
    {
        if (_reportedStreams || unsupported is null)
        {
            return;
        }

        _reportedStreams = true;
        foreach (var stream in _demuxer.Streams.Where(s => s.Codec == TsCodec.Unsupported || (s != _demuxer.Video && s != _demuxer.Audio)))
        {
            unsupported(stream.Codec == TsCodec.Unsupported ? "stream" : "extra stream", $"stream type 0x{stream.StreamType:x2} on PID {stream.Pid}");
        }
    }
}
