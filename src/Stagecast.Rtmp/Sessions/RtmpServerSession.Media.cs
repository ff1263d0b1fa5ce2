using System.Buffers;
using Stagecast.Media.Codecs;
using Stagecast.Media.Flv;
using Stagecast.Rtmp.Messages;
using Stagecast.Streaming;

namespace Stagecast.Rtmp.Sessions;

/// <summary>Audio, video and data messages of a publishing connection, turned into stream configuration and frames.</summary>
public sealed partial class RtmpServerSession
{
    private TimestampUnwrapper _timestamps;
    private bool _warnedVideo;
    private bool _warnedAudio;

    /// <summary>Handles an audio or video message and takes ownership of its buffer.</summary>
    private void HandleMedia(RtmpMessage message)
    {
        if (_publisher is not { } publisher || message.StreamId != _publishStreamId || message.Length == 0)
        {
            message.Return();
            return;
        }

        MediaFrame? frame;
        try
        {
            frame = message.Type == RtmpMessageType.Video ? ReadVideo(publisher, message) : ReadAudio(publisher, message);
        }
        catch
        {
            message.Return();
            throw;
        }

        if (frame is null)
        {
            message.Return();
            return;
        }

        publisher.Write(frame);
    }

    private MediaFrame? ReadVideo(Publisher publisher, RtmpMessage message)
    {
        var payload = message.Payload;
        var packet = FlvVideoTag.Parse(payload);
        switch (packet.Kind)
        {
            case FlvPacketKind.SequenceStart:
                publisher.SetVideoConfig(VideoTrackConfig.Parse(packet.Codec, payload[packet.DataOffset..]));
                return null;
            case FlvPacketKind.CodedFrames:
                var config = publisher.Stream.Video;
                if (config is null || config.Codec != packet.Codec || payload.Length <= packet.DataOffset)
                {
                    return null; // no usable sequence header yet
                }

                long timestamp = _timestamps.Unwrap(message.Timestamp);
                return MediaFrame.FromPooledBuffer(MediaFrameKind.Video, message.Buffer, packet.DataOffset, message.Length - packet.DataOffset,
                    timestamp, packet.CompositionTime, packet.IsKeyframe);
            case FlvPacketKind.Unsupported when !_warnedVideo:
                _warnedVideo = true;
                RtmpLog.UnsupportedCodec(_logger, _remote, "video", packet.FourCc == 0 ? "command frame" : FourCc.ToText(packet.FourCc), publisher.Stream.Id);
                return null;
            default:
                return null;
        }
    }

    private MediaFrame? ReadAudio(Publisher publisher, RtmpMessage message)
    {
        var payload = message.Payload;
        var packet = FlvAudioTag.Parse(payload);
        switch (packet.Kind)
        {
            case FlvPacketKind.SequenceStart:
                publisher.SetAudioConfig(AudioTrackConfig.ParseAac(payload[packet.DataOffset..]));
                return null;
            case FlvPacketKind.CodedFrames:
                if (publisher.Stream.Audio is null || payload.Length <= packet.DataOffset)
                {
                    return null;
                }

                long timestamp = _timestamps.Unwrap(message.Timestamp);
                return MediaFrame.FromPooledBuffer(MediaFrameKind.Audio, message.Buffer, packet.DataOffset, message.Length - packet.DataOffset,
                    timestamp, 0, isKeyframe: true);
            case FlvPacketKind.Unsupported when !_warnedAudio:
                _warnedAudio = true;
                RtmpLog.UnsupportedCodec(_logger, _remote, "audio", $"sound format {packet.SoundFormat}", publisher.Stream.Id);
                return null;
            default:
                return null;
        }
    }

    private void HandleData(ReadOnlySpan<byte> payload)
    {
        if (_publisher is { } publisher && MetadataReader.TryRead(payload) is { } metadata)
        {
            publisher.SetMetadata(metadata);
        }
    }

    /// <summary>
    /// Aggregate message (RTMP spec 7.1.6): FLV tags back to back, their timestamps relative to the first one,
    /// which corresponds to the aggregate's own timestamp.
    /// </summary>
    private void HandleAggregate(RtmpMessage message)
    {
        var buffer = new ReadOnlySequence<byte>(message.Buffer, 0, message.Length);
        uint? first = null;
        while (FlvFileReader.TryReadTag(ref buffer, out var tag))
        {
            first ??= tag.Timestamp;
            uint timestamp = message.Timestamp + (tag.Timestamp - first.Value);
            int length = (int)tag.Data.Length;
            if (tag.Type is FlvTagType.Audio or FlvTagType.Video)
            {
                byte[] copy = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                tag.Data.CopyTo(copy);
                var type = tag.Type == FlvTagType.Video ? RtmpMessageType.Video : RtmpMessageType.Audio;
                HandleMedia(new RtmpMessage(type, timestamp, message.StreamId, copy, length));
            }
            else if (tag.Type == FlvTagType.Script)
            {
                HandleData(tag.Data.ToArray());
            }
        }
    }
}
