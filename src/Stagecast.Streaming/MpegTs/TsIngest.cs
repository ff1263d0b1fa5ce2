using Stagecast.Media;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Aac;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.MpegTs;

namespace Stagecast.Streaming.MpegTs;

/// <summary>
/// MPEG-TS into the hub, the one way it comes in (an SRT caller's stream, a transcoder's ffmpeg output), as
/// <c>FlvIngest</c> does for RTMP and the reverse of <see cref="TsEgress"/>. Each publisher declares its tracks from
/// the PMT before its first configuration, so the hub holds its media until both are configured. Video stream
/// <c>i</c> goes to publisher <c>i</c> (a transcoder's renditions: one video PID each), its configuration record from
/// its parameter sets and its access units as length-prefixed frames from its first keyframe; each ADTS frame goes to
/// every publisher as an AAC frame with its configuration; Opus is handed to a transcoder. Timestamps go from 90 kHz
/// to milliseconds through the given timeline, or a second after the first one seen (so a stream slightly earlier than
/// the first stays positive). Malformed input throws <see cref="MediaFormatException"/>; codecs the hub does not carry
/// are reported once and skipped.
/// </summary>
public sealed class TsIngest : IAsyncDisposable
{
    private const long OriginMargin = TsTimestamp.ClockRate;

    private readonly Publisher[] _publishers;
    private readonly Func<long, long>? _timeline;
    private readonly IOpusTranscoding? _opusTranscoding;
    private readonly Action<string, string>? _unsupported;
    private readonly TsDemuxer _demuxer;
    private readonly AnnexBConverter?[] _video;
    private readonly bool[] _sawKeyframe;
    private readonly IOpusAudio?[] _opus;
    private long _origin = long.MinValue;
    private long _nextAudio = long.MinValue;
    private AdtsHeader _audioConfigOf;
    private bool _declared;
    private bool _reportedOpus;

    /// <summary>One program to one publisher (SRT), on a timeline from its first timestamp.</summary>
    public TsIngest(Publisher publisher, IOpusTranscoding? opus = null, Action<string, string>? unsupported = null)
        : this([publisher], timeline: null, opus, unsupported)
    {
    }

    /// <param name="publishers">Publisher <c>i</c> takes the program's video stream <c>i</c>; each takes the audio.</param>
    /// <param name="timeline">The millisecond on the streams' timeline of a 90 kHz time; null: from the first time seen.</param>
    /// <param name="opus">Makes AAC of Opus audio; without it, Opus is reported and skipped.</param>
    /// <param name="unsupported">Told once of each kind of stream skipped (kind, detail).</param>
    public TsIngest(IReadOnlyList<Publisher> publishers, Func<long, long>? timeline, IOpusTranscoding? opus = null, Action<string, string>? unsupported = null)
    {
        _publishers = [.. publishers];
        _timeline = timeline;
        _opusTranscoding = opus;
        _unsupported = unsupported;
        _demuxer = new TsDemuxer(videoStreams: _publishers.Length);
        _video = new AnnexBConverter?[_publishers.Length];
        _sawKeyframe = new bool[_publishers.Length];
        _opus = new IOpusAudio?[_publishers.Length];
    }

    /// <summary>Called after a picture went to publisher <c>index</c>, with its presentation time (ms) on the stream's timeline.</summary>
    public Action<int, long>? PictureWritten { get; init; }

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
        foreach (var opus in _opus)
        {
            if (opus is not null)
            {
                await opus.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void Handle(TsPesPacket pes)
    {
        if (!_declared)
        {
            _declared = true;
            DeclareTracks();
            ReportUnsupportedStreams();
        }

        if (_timeline is null && (pes.Dts ?? pes.Pts) is { } timestamp && _origin == long.MinValue)
        {
            _origin = timestamp - OriginMargin;
        }

        switch (pes.Stream.Codec)
        {
            case TsCodec.H264 or TsCodec.H265 when pes.Pts is { } pts && IndexOf(pes.Stream) is var index and >= 0:
                Video(index, pes, pts, pes.Dts ?? pts);
                break;
            case TsCodec.Aac:
                Aac(pes);
                break;
            case TsCodec.Opus:
                Opus(pes);
                break;
        }
    }

    /// <summary>The tracks the PMT lists and the hub will carry, declared before the first configuration.</summary>
    private void DeclareTracks()
    {
        bool audio = _demuxer.Audio?.Codec == TsCodec.Aac || (_demuxer.Audio?.Codec == TsCodec.Opus && _opusTranscoding is not null);
        for (int i = 0; i < _publishers.Length; i++)
        {
            _publishers[i].DeclareTracks((i < _demuxer.VideoStreams.Count ? StreamTracks.Video : StreamTracks.None) | (audio ? StreamTracks.Audio : StreamTracks.None));
        }
    }

    private void Video(int index, TsPesPacket pes, long pts, long dts)
    {
        var publisher = _publishers[index];
        var codec = pes.Stream.Codec == TsCodec.H264 ? VideoCodec.H264 : VideoCodec.H265;
        if (_video[index]?.Codec != codec)
        {
            _video[index] = new AnnexBConverter(codec);
        }

        var converter = _video[index]!;
        if (!converter.TryConvert(pes.Payload, out byte[]? buffer, out int length, out bool keyframe))
        {
            return;
        }

        if (converter.ParameterSetsChanged && converter.ConfigurationRecord() is { } record)
        {
            converter.ParameterSetsChanged = false;
            publisher.SetVideoConfig(VideoTrackConfig.Parse(codec, record));
        }

        if (publisher.Stream.Video?.Codec != codec || !(_sawKeyframe[index] |= keyframe))
        {
            MediaBufferPool.Shared.Return(buffer!);
            return; // no parameter sets yet, or no keyframe yet: nothing a decoder could start from
        }

        Frames++;
        long ms = Milliseconds(dts);
        int compositionOffset = (int)((pts - dts) / 90);
        publisher.Write(MediaFrame.FromPooledBuffer(MediaFrameKind.Video, buffer!, 0, length, ms, compositionOffset, keyframe));
        PictureWritten?.Invoke(index, ms + compositionOffset);
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
            if (time != long.MinValue)
            {
                Frames++;
                long ms = Milliseconds(time);
                foreach (var publisher in _publishers)
                {
                    publisher.Write(MediaFrame.Copy(MediaFrameKind.Audio, payload.Slice(header.HeaderLength, header.PayloadLength), ms, 0, isKeyframe: true));
                }
            }

            time = time == long.MinValue ? time : time + ((long)AudioTrackConfig.SamplesPerFrame * TsTimestamp.ClockRate / header.SampleRate);
            payload = payload[header.FrameLength..];
        }

        _nextAudio = time;
    }

    private void Opus(TsPesPacket pes)
    {
        if (_opusTranscoding is null)
        {
            if (!_reportedOpus)
            {
                _reportedOpus = true;
                _unsupported?.Invoke("audio", "Opus (no transcoder to AAC)");
            }

            return;
        }

        ReadOnlySpan<byte> payload = pes.Payload;
        long time = pes.Pts ?? _nextAudio;
        while (OpusAccessUnits.TryRead(ref payload, out var packet))
        {
            int samples = OpusPacket.SampleCount(packet);
            if (time != long.MinValue && samples > 0)
            {
                Frames++;
                long ms = Milliseconds(time);
                for (int i = 0; i < _publishers.Length; i++)
                {
                    _opus[i] ??= _opusTranscoding.Start(_publishers[i]);
                    _opus[i]!.Push(packet, time * OpusPacket.SampleRate / TsTimestamp.ClockRate, ms);
                }

                time += (long)samples * TsTimestamp.ClockRate / OpusPacket.SampleRate;
            }
        }

        _nextAudio = time;
    }

    /// <summary>Tells the hub the configuration ADTS headers describe, when it differs from the last one (not per frame).</summary>
    private void SetAudioConfig(AdtsHeader header)
    {
        var configOf = header with { FrameLength = 0, HeaderLength = 0 };
        foreach (var publisher in _publishers)
        {
            if (publisher.Stream.Audio is null || configOf != _audioConfigOf)
            {
                publisher.SetAudioConfig(AudioTrackConfig.ParseAac(header.AudioSpecificConfig()));
            }
        }

        _audioConfigOf = configOf;
    }

    private long Milliseconds(long timestamp) => _timeline?.Invoke(timestamp) ?? Math.Max(0, (timestamp - _origin) / 90);

    private int IndexOf(TsElementaryStream stream)
    {
        var streams = _demuxer.VideoStreams;
        for (int i = 0; i < streams.Count; i++)
        {
            if (streams[i] == stream)
            {
                return i;
            }
        }

        return -1;
    }

    private void ReportUnsupportedStreams()
    {
        if (_unsupported is null)
        {
            return;
        }

        foreach (var stream in _demuxer.Streams.Where(s => s.Codec == TsCodec.Unsupported || (!_demuxer.VideoStreams.Contains(s) && s != _demuxer.Audio)))
        {
            _unsupported(stream.Codec == TsCodec.Unsupported ? "stream" : "extra stream", $"stream type 0x{stream.StreamType:x2} on PID {stream.Pid}");
        }
    }
}
