using System.Buffers;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages.Control;

/// <summary>Abort (RTMP spec 5.4.2): drop the partly received message on a chunk stream.</summary>
public readonly record struct Abort(uint ChunkStream) : IRtmpMessage
{
    public RtmpMessageType Type => RtmpMessageType.Abort;

    public int ChunkStreamId => ChunkStreams.ProtocolControl;

    public static Abort Read(ReadOnlySpan<byte> payload) => new(ControlPayload.ReadUInt32(payload, "Abort"));

    public void Write(IBufferWriter<byte> payload) => ControlPayload.WriteUInt32(payload, ChunkStream);
}
