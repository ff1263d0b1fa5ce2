using Stagecast.Media.Amf0;
using Stagecast.Media.Codecs;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.Rtmp.Egress;

/// <summary>
/// The reverse of <see cref="Ingest.FlvIngest"/>: hub frames as FLV tag bodies, to send as RTMP messages (restream
/// outputs, and whatever else pushes a stream out as FLV). Decoder configurations become sequence starts, frames get
/// their tag header (codec, keyframe flag, composition offset), metadata becomes an onMetaData object. One per
/// connection: it remembers the video codec its configuration named.
/// </summary>
public sealed class FlvEgress
{
    private readonly byte[] _header = new byte[FlvTagHeader.MaxLength];
    private VideoCodec? _videoCodec;

    /// <summary>
    /// The tag for <paramref name="frame"/>, or false when FLV carries nothing for it (a video frame before its
    /// configuration, the end of the stream). The tag's header lives in this packager until the next call.
    /// </summary>
    public bool TryPackage(MediaFrame frame, out FlvEgressTag tag)
    {
        switch (frame.Kind)
        {
            case MediaFrameKind.VideoConfig:
                var video = (VideoTrackConfig)frame.Detail!;
                _videoCodec = video.Codec;
                tag = Video(FlvTagHeader.WriteVideo(_header, video.Codec, FlvPacketKind.SequenceStart, true, 0), video.ConfigurationRecord);
                return true;
            case MediaFrameKind.AudioConfig:
                tag = Audio(FlvTagHeader.WriteAudio(_header, FlvPacketKind.SequenceStart), ((AudioTrackConfig)frame.Detail!).SpecificConfig);
                return true;
            case MediaFrameKind.Video when _videoCodec is { } codec:
                tag = Video(FlvTagHeader.WriteVideo(_header, codec, FlvPacketKind.CodedFrames, frame.IsKeyframe, frame.CompositionOffset), frame.Memory);
                return true;
            case MediaFrameKind.Audio:
                tag = Audio(FlvTagHeader.WriteAudio(_header, FlvPacketKind.CodedFrames), frame.Memory);
                return true;
            case MediaFrameKind.Metadata:
                tag = new FlvEgressTag(FlvTagType.Script, default, default, OnMetaData((StreamMetadata)frame.Detail!));
                return true;
            default:
                tag = default;
                return false;
        }
    }

    /// <summary>The onMetaData object encoders send, from what the hub knows of the stream.</summary>
    public static AmfObject OnMetaData(StreamMetadata metadata)
    {
        var values = new AmfObject(isEcmaArray: true);
        if (metadata.Width is { } width)
        {
            values["width"] = (double)width;
        }

        if (metadata.Height is { } height)
        {
            values["height"] = (double)height;
        }

        if (metadata.FrameRate is { } frameRate)
        {
            values["framerate"] = frameRate;
        }

        if (metadata.VideoKilobitsPerSecond is { } video)
        {
            values["videodatarate"] = video;
        }

        if (metadata.AudioKilobitsPerSecond is { } audio)
        {
            values["audiodatarate"] = audio;
        }

        values["encoder"] = "Stagecast";
        return values;
    }

    private FlvEgressTag Video(int headerLength, ReadOnlyMemory<byte> payload) => new(FlvTagType.Video, _header.AsMemory(0, headerLength), payload);

    private FlvEgressTag Audio(int headerLength, ReadOnlyMemory<byte> payload) => new(FlvTagType.Audio, _header.AsMemory(0, headerLength), payload);
}
