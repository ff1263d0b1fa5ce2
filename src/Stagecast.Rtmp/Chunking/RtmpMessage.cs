using Stagecast.Media;

namespace Stagecast.Rtmp.Chunking;

/// <summary>
/// A complete RTMP message. <see cref="Buffer"/> is rented from <see cref="MediaBufferPool"/>; whoever
/// receives the message either passes the buffer on (media frames take it over) or calls <see cref="Return"/>.
/// </summary>
public readonly struct RtmpMessage(RtmpMessageType type, uint timestamp, uint streamId, byte[] buffer, int length)
{
    public RtmpMessageType Type { get; } = type;

    /// <summary>Message timestamp in milliseconds (32 bits, wraps).</summary>
    public uint Timestamp { get; } = timestamp;

    public uint StreamId { get; } = streamId;

    public byte[] Buffer { get; } = buffer;

    public int Length { get; } = length;

    public ReadOnlySpan<byte> Payload => Buffer.AsSpan(0, Length);

    public void Return() => MediaBufferPool.Shared.Return(Buffer);
}
