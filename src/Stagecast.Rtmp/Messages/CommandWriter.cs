using System.Buffers;
using Stagecast.Media.Amf0;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages;

/// <summary>Serialises AMF0 commands and data messages and sends them through a chunk writer.</summary>
public sealed class CommandWriter(ChunkWriter chunks)
{
    private readonly ArrayBufferWriter<byte> _payload = new(256);

    public void WriteCommand(IBufferWriter<byte> output, int chunkStreamId, uint messageStreamId, string name, double transactionId, object? commandObject, params object?[] arguments)
    {
        _payload.ResetWrittenCount();
        var amf = new Amf0Writer(_payload);
        amf.WriteString(name);
        amf.WriteNumber(transactionId);
        amf.WriteValue(commandObject);
        foreach (object? argument in arguments)
        {
            amf.WriteValue(argument);
        }

        chunks.Write(output, chunkStreamId, 0, RtmpMessageType.CommandAmf0, messageStreamId, _payload.WrittenSpan);
    }

    /// <summary>onStatus on a message stream: transaction 0, null command object, then the info object.</summary>
    public void WriteStatus(IBufferWriter<byte> output, uint messageStreamId, string level, string code, string description) =>
        WriteCommand(output, ChunkStreams.Data, messageStreamId, "onStatus", 0, null, Info(level, code, description));

    public void WriteData(IBufferWriter<byte> output, uint messageStreamId, uint timestamp, params object?[] values)
    {
        _payload.ResetWrittenCount();
        var amf = new Amf0Writer(_payload);
        foreach (object? value in values)
        {
            amf.WriteValue(value);
        }

        chunks.Write(output, ChunkStreams.Data, timestamp, RtmpMessageType.DataAmf0, messageStreamId, _payload.WrittenSpan);
    }

    public static AmfObject Info(string level, string code, string description) => new()
    {
        { "level", level },
        { "code", code },
        { "description", description },
    };
}
