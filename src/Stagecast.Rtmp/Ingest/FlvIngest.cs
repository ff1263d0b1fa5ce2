using Stagecast.Media.Codecs;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.Rtmp.Ingest;

/// <summary>
/// Turns FLV tag bodies (RTMP audio, video and data messages, or tags of an FLV file) into what a publisher
/// tells the hub: decoder configuration, metadata and media frames. Malformed bodies throw
/// <see cref="Media.MediaFormatException"/>; codecs Stagecast does not carry are reported once and skipped.
/// </summary>
public sealed class FlvIngest(Action<string, string>? unsupported = null)
{
    private bool _reportedVideo;
    private bool _reportedAudio;

    /// <summary>
    /// Handles a video tag body held in a buffer rented from the shared array pool. Returns true when a frame
    /// took ownership of the buffer; otherwise the caller still owns it.
    /// </summary>
    public bool Video(Publisher publisher, long timestamp, byte[] buffer, int length)
    {
        var body = buffer.AsSpan(0, length);
        var packet = FlvVideoTag.Parse(body);
        switch (packet.Kind)
        {
            case FlvPacketKind.SequenceStart:
                publisher.SetVideoConfig(VideoTrackConfig.Parse(packet.Codec, body[packet.DataOffset..]));
                return false;
            case FlvPacketKind.CodedFrames:
                var config = publisher.Stream.Video;
                if (config is null || config.Codec != packet.Codec || length <= packet.DataOffset)
                {
                    return false; // no usable sequence header yet
                }

                publisher.Write(MediaFrame.FromPooledBuffer(MediaFrameKind.Video, buffer, packet.DataOffset, length - packet.DataOffset,
                    timestamp, packet.CompositionTime, packet.IsKeyframe));
                return true;
            case FlvPacketKind.Unsupported when !_reportedVideo:
                _reportedVideo = true;
                unsupported?.Invoke("video", packet.FourCc == 0 ? "command frame" : FourCc.ToText(packet.FourCc));
                return false;
            default:
                return false;
        }
    }

    /// <summary>Handles an audio tag body; same ownership rule as <see cref="Video"/>.</summary>
    public bool Audio(Publisher publisher, long timestamp, byte[] buffer, int length)
    {
        var body = buffer.AsSpan(0, length);
        var packet = FlvAudioTag.Parse(body);
        switch (packet.Kind)
        {
            case FlvPacketKind.SequenceStart:
                publisher.SetAudioConfig(AudioTrackConfig.ParseAac(body[packet.DataOffset..]));
                return false;
            case FlvPacketKind.CodedFrames:
                if (publisher.Stream.Audio is null || length <= packet.DataOffset)
                {
                    return false;
                }

                publisher.Write(MediaFrame.FromPooledBuffer(MediaFrameKind.Audio, buffer, packet.DataOffset, length - packet.DataOffset,
                    timestamp, 0, isKeyframe: true));
                return true;
            case FlvPacketKind.Unsupported when !_reportedAudio:
                _reportedAudio = true;
                unsupported?.Invoke("audio", $"sound format {packet.SoundFormat}");
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// Handles a script data body (onMetaData): the tracks its codec ids name are declared first, so the hub holds the
    /// media until their sequence headers have come.
    /// </summary>
    public static void Data(Publisher publisher, ReadOnlySpan<byte> body)
    {
        if (MetadataReader.TryRead(body, out var tracks) is { } metadata)
        {
            if (tracks is { } declared)
            {
                publisher.DeclareTracks(declared);
            }

            publisher.SetMetadata(metadata);
        }
    }
}
