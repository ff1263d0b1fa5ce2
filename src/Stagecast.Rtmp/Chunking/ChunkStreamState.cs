namespace Stagecast.Rtmp.Chunking;

/// <summary>What a chunk stream remembers between chunks (RTMP spec 5.3.1.2): the last header and the message being assembled.</summary>
internal sealed class ChunkStreamState(int id)
{
    public int Id { get; } = id;

    public bool HasHeader { get; set; }

    public uint Timestamp { get; set; }

    /// <summary>The delta a following type 3 header implies (for a type 0 header: its timestamp, per 5.3.1.2.4).</summary>
    public uint TimestampDelta { get; set; }

    public int MessageLength { get; set; }

    public byte MessageTypeId { get; set; }

    public uint MessageStreamId { get; set; }

    /// <summary>The last type 0/1/2 header used an extended timestamp, so type 3 chunks carry one too.</summary>
    public bool HasExtendedTimestamp { get; set; }

    public uint ExtendedTimestampValue { get; set; }

    /// <summary>Buffer of the message being assembled, or null between messages.</summary>
    public byte[]? Payload { get; set; }

    public int Received { get; set; }
}
