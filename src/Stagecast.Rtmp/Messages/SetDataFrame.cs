using System.Buffers;
using Stagecast.Media.Amf0;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages;

/// <summary>
/// @setDataFrame onMetaData (an AMF0 data message, RTMP spec 7.1.2): the stream's metadata as encoders send it. Read
/// on ingest as an FLV script body (<see cref="Ingest.FlvIngest.Data"/>).
/// </summary>
public sealed record SetDataFrame(AmfObject Metadata) : IRtmpMessage
{
    public RtmpMessageType Type => RtmpMessageType.DataAmf0;

    public int ChunkStreamId => ChunkStreams.Data;

    public void Write(IBufferWriter<byte> payload)
    {
        var amf = new Amf0Writer(payload);
        amf.WriteString("@setDataFrame"u8);
        amf.WriteString("onMetaData"u8);
        amf.WriteObject(Metadata);
    }
}
