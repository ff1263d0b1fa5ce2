using System.Buffers;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages.Control;

/// <summary>User Control Stream Begin (RTMP spec 7.1.7): a message stream is ready for use.</summary>
public readonly record struct StreamBegin(uint StreamId) : IRtmpMessage
{
    public RtmpMessageType Type => RtmpMessageType.UserControl;

    public int ChunkStreamId => ChunkStreams.ProtocolControl;

    public void Write(IBufferWriter<byte> payload) => UserControl.Write(payload, UserControlEvent.StreamBegin, StreamId);
}
