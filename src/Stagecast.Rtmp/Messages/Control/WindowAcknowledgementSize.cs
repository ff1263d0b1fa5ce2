using System.Buffers;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages.Control;

/// <summary>Window Acknowledgement Size (RTMP spec 5.4.4): acknowledge every this many bytes.</summary>
public readonly record struct WindowAcknowledgementSize(uint Size) : IRtmpMessage
{
    public RtmpMessageType Type => RtmpMessageType.WindowAcknowledgementSize;

    public int ChunkStreamId => ChunkStreams.ProtocolControl;

    public static WindowAcknowledgementSize Read(ReadOnlySpan<byte> payload) => new(ControlPayload.ReadUInt32(payload, "Window Acknowledgement Size"));

    public void Write(IBufferWriter<byte> payload) => ControlPayload.WriteUInt32(payload, Size);
}
