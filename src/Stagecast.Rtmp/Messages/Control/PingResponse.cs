using System.Buffers;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages.Control;

/// <summary>User Control Ping Response (RTMP spec 7.1.7): the value of the Ping Request it answers.</summary>
public readonly record struct PingResponse(uint Timestamp) : IRtmpMessage
{
    public RtmpMessageType Type => RtmpMessageType.UserControl;

    public int ChunkStreamId => ChunkStreams.ProtocolControl;

    public void Write(IBufferWriter<byte> payload) => UserControl.Write(payload, UserControlEvent.PingResponse, Timestamp);
}
