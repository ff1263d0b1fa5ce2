using System.Buffers;
using Stagecast.Media;
using Stagecast.Media.Flv;
using Stagecast.Rtmp.Chunking;
using Stagecast.Rtmp.Ingest;

namespace Stagecast.Rtmp.Sessions;

/// <summary>Audio, video and data messages of a publishing connection, handed to <see cref="FlvIngest"/>.</summary>
public sealed partial class RtmpServerSession
{
    private TimestampUnwrapper _timestamps;
    private FlvIngest? _ingest;

    private FlvIngest Ingest => _ingest ??= new FlvIngest((kind, detail) =>
        RtmpLog.UnsupportedCodec(_logger, _remote, kind, detail, _publisher?.Stream.Id ?? "-"));

    /// <summary>Handles an audio or video message and takes ownership of its buffer.</summary>
    private void HandleMedia(RtmpMessage message)
    {
        if (_publisher is not { } publisher || message.StreamId != _publishStreamId || message.Length == 0)
        {
            message.Return();
            return;
        }

        bool taken;
        try
        {
            long timestamp = _timestamps.Unwrap(message.Timestamp);
            taken = message.Type == RtmpMessageType.Video
                ? Ingest.Video(publisher, timestamp, message.Buffer, message.Length)
                : Ingest.Audio(publisher, timestamp, message.Buffer, message.Length);
        }
        catch
        {
            message.Return();
            throw;
        }

        if (!taken)
        {
            message.Return();
        }
    }

    private void HandleData(ReadOnlySpan<byte> payload)
    {
        if (_publisher is { } publisher)
        {
            FlvIngest.Data(publisher, payload);
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
                byte[] copy = MediaBufferPool.Shared.Rent(Math.Max(length, 1));
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
