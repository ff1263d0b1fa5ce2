using System.Buffers;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages;

/// <summary>Writes typed messages through a chunk writer, serialising each payload into one reused buffer.</summary>
public sealed class MessageWriter(ChunkWriter chunks)
{
    private readonly ArrayBufferWriter<byte> _payload = new(256);

    /// <summary>Writes <paramref name="message"/> on message stream <paramref name="messageStreamId"/> (0: the connection).</summary>
    public void Write<T>(IBufferWriter<byte> output, T message, uint messageStreamId = 0, uint timestamp = 0)
        where T : IRtmpMessage
    {
        _payload.ResetWrittenCount();
        message.Write(_payload);
        chunks.Write(output, message.ChunkStreamId, timestamp, message.Type, messageStreamId, _payload.WrittenSpan);
    }
}
