using System.Buffers;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages.Control;

/// <summary>Acknowledgement (RTMP spec 5.4.3): the bytes received so far, sent each window.</summary>
public readonly record struct Acknowledgement(uint SequenceNumber) : IRtmpMessage
{
    public RtmpMessageType Type => RtmpMessageType.Acknowledgement;

    public int ChunkStreamId => ChunkStreams.ProtocolControl;

    public static Acknowledgement Read(ReadOnlySpan<byte> payload) => new(ControlPayload.ReadUInt32(payload, "Acknowledgement"));

    public void Write(IBufferWriter<byte> payload) => ControlPayload.WriteUInt32(payload, SequenceNumber);
}
