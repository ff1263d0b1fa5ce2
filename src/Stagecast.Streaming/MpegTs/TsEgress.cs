using System.Buffers;
using Stagecast.Media;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Aac;
using Stagecast.Media.MpegTs;

namespace Stagecast.Streaming.MpegTs;

/// <summary>
/// The reverse of <see cref="TsIngest"/>: hub frames as an MPEG transport stream, for SRT readers and for the transcoders'
/// ffmpeg (beside the hub, so both may use it without one depending on the other). Video
/// (H.264, H.265) goes out in Annex B with its parameter sets before each keyframe, AAC in ADTS frames; timestamps
/// go from milliseconds to 90 kHz, 1.4 s ahead as ffmpeg starts them, so the PCR (0.7 s behind) is never negative.
/// Video the transport stream cannot carry here (AV1) is left out, and said once.
/// </summary>
public sealed class TsEgress(Action<string>? unsupported = null)
{
    /// <summary>The 90 kHz time a frame at 0 ms goes out at: a stream's time is <c>ms * 90 + TimelineOffset</c>.</summary>
    public const long TimelineOffset = TsTimestamp.ClockRate * 14 / 10;

    /// <summary>The largest AAC frame sent: ADTS says 8191 bytes at most, its header included (larger ones are left out).</summary>
    private const int MaxAudioFrame = 0x1FFF - AdtsHeader.MinLength;

    private readonly TsMuxer _muxer = new();
    private readonly PieceSequence _pieces = new();
    private readonly byte[] _adts = new byte[AdtsHeader.MinLength];
    private VideoTrackConfig? _video;
    private AudioSpecificConfig? _audio;
    private bool _waitForKeyframe = true;
    private bool _reportedVideo;

    /// <summary>Drops video until the next keyframe (bytes of the stream were lost on the way out).</summary>
    public void WaitForKeyframe() => _waitForKeyframe = true;

    /// <summary>Writes what <paramref name="frame"/> becomes in the transport stream, if anything.</summary>
    public void Write(MediaFrame frame, IBufferWriter<byte> output)
    {
        switch (frame.Kind)
        {
            case MediaFrameKind.VideoConfig:
                SetVideo((VideoTrackConfig)frame.Detail!);
                break;
            case MediaFrameKind.AudioConfig:
                var audio = AudioSpecificConfig.Parse(((AudioTrackConfig)frame.Detail!).SpecificConfig);
                // HE-AAC goes out as its AAC-LC core, which ADTS can signal; decoders find the SBR layer implicitly.
                _audio = audio.ObjectType is 5 or 29 ? audio with { ObjectType = 2 } : audio;
                SetStreams();
                break;
            case MediaFrameKind.Video when _video is not null && (frame.IsKeyframe || !_waitForKeyframe):
                _waitForKeyframe = false;
                // The access unit in pieces (start codes, parameter sets, the frame's NAL units where they are): each byte
                // is copied once, into the transport packets.
                _pieces.Clear();
                AnnexBWriter.Write(_pieces, _video.Codec, frame.Memory, _video.NalLengthSize, frame.IsKeyframe ? _video.ParameterSets : null);
                long dts = (frame.Timestamp * 90) + TimelineOffset;
                _muxer.WriteVideo(output, dts + (frame.CompositionOffset * 90L), dts, frame.IsKeyframe, _pieces.Sequence);
                _pieces.Clear();
                break;
            case MediaFrameKind.Audio when _audio is { } config && frame.Length <= MaxAudioFrame && config.ObjectType <= 4:
                AdtsHeader.Write(_adts, config, frame.Length);
                _pieces.Clear();
                _pieces.Add(_adts);
                _pieces.Add(frame.Memory);
                _muxer.WriteAudio(output, (frame.Timestamp * 90) + TimelineOffset, _pieces.Sequence);
                _pieces.Clear();
                break;
        }
    }

    private void SetVideo(VideoTrackConfig config)
    {
        if (config.Codec is not (VideoCodec.H264 or VideoCodec.H265))
        {
            if (!_reportedVideo)
            {
                _reportedVideo = true;
                unsupported?.Invoke($"{config.Codec} video");
            }

            _video = null;
            SetStreams();
            return;
        }

        _video = config;
        _waitForKeyframe = true;
        SetStreams();
    }

    private void SetStreams() =>
        _muxer.SetStreams(_video is null ? null : _video.Codec == VideoCodec.H264 ? TsStreamType.H264 : TsStreamType.H265, _audio is not null);
}
