using System.Buffers;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages.Control;

/// <summary>User Control Ping Request (RTMP spec 7.1.7): answered with a <see cref="PingResponse"/> carrying the same value.</summary>
public readonly record struct PingRequest(uint Timestamp) : IRtmpMessage
{
    public RtmpMessageType Type => RtmpMessageType.UserControl;

    public int ChunkStreamId => ChunkStreams.ProtocolControl;

    public void Write(IBufferWriter<byte> payload) => UserControl.Write(payload, UserControlEvent.PingRequest, Timestamp);
}
