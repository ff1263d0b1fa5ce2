using System.Buffers;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages.Control;

/// <summary>Set Chunk Size (RTMP spec 5.4.1): the largest chunk the sender uses from now on (31 bits).</summary>
public readonly record struct SetChunkSize(uint Size) : IRtmpMessage
{
    public RtmpMessageType Type => RtmpMessageType.SetChunkSize;

    public int ChunkStreamId => ChunkStreams.ProtocolControl;

    public static SetChunkSize Read(ReadOnlySpan<byte> payload) => new(ControlPayload.ReadUInt32(payload, "Set Chunk Size") & 0x7FFFFFFF);

    public void Write(IBufferWriter<byte> payload) => ControlPayload.WriteUInt32(payload, Size);
}
