using System.Buffers;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages.Control;

/// <summary>Set Peer Bandwidth (RTMP spec 5.4.5): the peer's output window and how to apply it (2: dynamic).</summary>
public readonly record struct SetPeerBandwidth(uint Size, byte LimitType) : IRtmpMessage
{
    public const byte Dynamic = 2;

    public RtmpMessageType Type => RtmpMessageType.SetPeerBandwidth;

    public int ChunkStreamId => ChunkStreams.ProtocolControl;

    public static SetPeerBandwidth Read(ReadOnlySpan<byte> payload) =>
        new(ControlPayload.ReadUInt32(payload, "Set Peer Bandwidth", 5), payload[4]);

    public void Write(IBufferWriter<byte> payload)
    {
        ControlPayload.WriteUInt32(payload, Size);
        payload.GetSpan(1)[0] = LimitType;
        payload.Advance(1);
    }
}
