using System.Buffers;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages;

/// <summary>
/// A typed RTMP message that is not media: a protocol control message, a user control event, a command or a data
/// message, one small type each (as gortmplib's <c>msg_*</c>), each reading and writing its own payload. Audio and
/// video stay <see cref="RtmpMessage"/>s: their pooled buffers go to the hub without a copy.
/// </summary>
public interface IRtmpMessage
{
    RtmpMessageType Type { get; }

    /// <summary>The chunk stream it is sent on (RTMP spec 5.3.1.1; the ids ffmpeg and OBS use, see <see cref="ChunkStreams"/>).</summary>
    int ChunkStreamId { get; }

    void Write(IBufferWriter<byte> payload);
}
