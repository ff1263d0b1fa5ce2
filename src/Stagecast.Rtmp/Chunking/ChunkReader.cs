using System.Buffers;
using System.Buffers.Binary;
using Stagecast.Media;

namespace Stagecast.Rtmp.Chunking;

/// <summary>
/// Reassembles RTMP messages from interleaved chunk streams (RTMP spec 5.3). Chunk payload is copied into the
/// message buffer as it arrives, so neither a large chunk size nor a slow peer makes the pipe hold more.
/// <code>
/// basic header:   2 fmt | 6 csid (0: +1 byte, csid = 64 + b1; 1: +2 bytes, csid = 64 + b1 + 256 * b2)
/// fmt 0 (11 B):   u24 timestamp | u24 length | u8 type | u32le stream id
/// fmt 1 (7 B):    u24 delta | u24 length | u8 type
/// fmt 2 (3 B):    u24 delta
/// fmt 3 (0 B):    continuation, or a new message repeating the previous delta
/// extended:       u32 timestamp when the 24-bit field is 0xFFFFFF (and on type 3 chunks that follow such a header)
/// </code>
/// </summary>
public sealed class ChunkReader(IBufferBudget? budget = null) : IDisposable
{
    private static readonly int[] MessageHeaderLengths = [11, 7, 3, 0];

    /// <summary>Message buffers start this small and double as bytes arrive: an announced length costs nothing.</summary>
    private const int InitialBufferBytes = 4096;

    /// <summary>Partial buffers larger than this are left to the GC when dropped, so an attack's memory goes back.</summary>
    private const int MaxPooledPartialBytes = 1024 * 1024;

    private readonly Dictionary<int, ChunkStreamState> _streams = [];

    /// <summary>The chunk streams of one-byte basic headers (ids 2–63, what encoders use), found without hashing.</summary>
    private readonly ChunkStreamState?[] _shortIds = new ChunkStreamState?[64];
    private ChunkStreamState? _current;
    private int _chunkRemaining;
    private long _pendingBytes;

    /// <summary>
    /// Bytes of incomplete messages this connection may hold (received, not announced). The server keeps it low
    /// until a publish is accepted, then raises it to what the largest keyframes need.
    /// </summary>
    public long PendingLimit { get; set; } = RtmpLimits.MaxPendingMessageBytes;

    public int ChunkSize { get; private set; } = 128;

    public void SetChunkSize(uint size)
    {
        if (size is 0 or > RtmpLimits.MaxChunkSize)
        {
            throw new RtmpProtocolException($"chunk size {size} outside 1..{RtmpLimits.MaxChunkSize}");
        }

        ChunkSize = (int)size;
    }

    /// <summary>Abort Message (5.4.2): drop the partly received message of a chunk stream.</summary>
    public void Abort(uint chunkStreamId)
    {
        if (_streams.TryGetValue((int)Math.Min(chunkStreamId, int.MaxValue), out var state) && state != _current)
        {
            DiscardPayload(state);
        }
    }

    /// <summary>
    /// Reads chunks until a message is complete (true) or the buffer runs out (false). Consumed bytes are
    /// sliced off <paramref name="buffer"/>; an incomplete chunk header is left in place.
    /// </summary>
    public bool TryReadMessage(ref ReadOnlySequence<byte> buffer, out RtmpMessage message)
    {
        while (true)
        {
            if (_current is null && !TryReadChunkHeader(ref buffer))
            {
                message = default;
                return false;
            }

            var state = _current!;
            int take = (int)Math.Min(_chunkRemaining, buffer.Length);
            if (take > 0)
            {
                Reserve(state, take);
                buffer.Slice(0, take).CopyTo(state.Payload.AsSpan(state.Received));
                state.Received += take;
                _chunkRemaining -= take;
                buffer = buffer.Slice(take);
            }

            if (_chunkRemaining > 0)
            {
                message = default;
                return false;
            }

            _current = null;
            if (state.Received == state.MessageLength)
            {
                message = new RtmpMessage((RtmpMessageType)state.MessageTypeId, state.Timestamp, state.MessageStreamId, state.Payload ?? MediaBufferPool.Shared.Rent(1), state.MessageLength);
                Unreserve(state.Received);
                state.Payload = null;
                state.Received = 0;
                return true;
            }
        }
    }

    public void Dispose()
    {
        foreach (var state in _streams.Values)
        {
            DiscardPayload(state);
        }

        _streams.Clear();
        Array.Clear(_shortIds);
        _current = null;
    }

    private bool TryReadChunkHeader(ref ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out byte first))
        {
            return false;
        }

        int format = first >> 6;
        int chunkStreamId = first & 0x3F;
        if (chunkStreamId == 0)
        {
            if (!reader.TryRead(out byte b1))
            {
                return false;
            }

            chunkStreamId = 64 + b1;
        }
        else if (chunkStreamId == 1)
        {
            if (!reader.TryRead(out byte b1) || !reader.TryRead(out byte b2))
            {
                return false;
            }

            chunkStreamId = 64 + b1 + (256 * b2);
        }

        Span<byte> header = stackalloc byte[11];
        int headerLength = MessageHeaderLengths[format];
        if (!reader.TryCopyTo(header[..headerLength]))
        {
            return false;
        }

        reader.Advance(headerLength);
        var state = GetState(chunkStreamId);
        bool continuation = state.Payload is not null;
        if (continuation && format != 3)
        {
            throw new RtmpProtocolException($"type {format} chunk header on chunk stream {chunkStreamId} while a message is incomplete");
        }

        uint timestampField = format < 3 ? ReadUInt24(header) : 0;
        bool extended = format < 3 ? timestampField == 0xFFFFFF : state.HasExtendedTimestamp;
        if (extended)
        {
            Span<byte> extendedBytes = stackalloc byte[4];
            if (!reader.TryCopyTo(extendedBytes))
            {
                return false;
            }

            uint value = BinaryPrimitives.ReadUInt32BigEndian(extendedBytes);

            // 5.3.1.3: type 3 continuation chunks repeat the extended timestamp, but some encoders omit it;
            // only skip the four bytes when they hold the value we expect.
            if (!continuation || value == state.ExtendedTimestampValue)
            {
                reader.Advance(4);
                timestampField = value;
            }
        }

        if (!continuation)
        {
            StartMessage(state, format, header, timestampField, extended);
        }

        _chunkRemaining = Math.Min(ChunkSize, state.MessageLength - state.Received);
        _current = state;
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static void StartMessage(ChunkStreamState state, int format, ReadOnlySpan<byte> header, uint timestampField, bool extended)
    {
        if (!state.HasHeader && format > 1)
        {
            throw new RtmpProtocolException($"chunk stream {state.Id} starts with a type {format} header");
        }

        switch (format)
        {
            case 0:
                state.Timestamp = timestampField;
                state.TimestampDelta = timestampField;
                state.MessageLength = (int)ReadUInt24(header[3..]);
                state.MessageTypeId = header[6];
                state.MessageStreamId = BinaryPrimitives.ReadUInt32LittleEndian(header[7..]);
                break;
            case 1:
                state.TimestampDelta = timestampField;
                state.Timestamp += timestampField;
                state.MessageLength = (int)ReadUInt24(header[3..]);
                state.MessageTypeId = header[6];
                break;
            case 2:
                state.TimestampDelta = timestampField;
                state.Timestamp += timestampField;
                break;
            default:
                state.Timestamp += state.TimestampDelta;
                break;
        }

        if (format < 3)
        {
            state.HasExtendedTimestamp = extended;
            state.ExtendedTimestampValue = timestampField;
        }

        state.HasHeader = true;
        if (state.MessageLength > RtmpLimits.MaxMessageSize)
        {
            throw new RtmpProtocolException($"message of {state.MessageLength} bytes exceeds {RtmpLimits.MaxMessageSize}");
        }

        state.Payload = null;
        state.Received = 0;
    }

    /// <summary>Accounts for <paramref name="take"/> more bytes of a message and grows its buffer to hold them.</summary>
    private void Reserve(ChunkStreamState state, int take)
    {
        if (_pendingBytes + take > PendingLimit)
        {
            budget?.CountClosedForBuffers();
            throw new RtmpProtocolException($"more than {PendingLimit} bytes of incomplete messages");
        }

        if (budget is not null && !budget.TryBuffer(take))
        {
            throw new RtmpProtocolException("the server's buffer budget for incoming messages is spent");
        }

        _pendingBytes += take;
        int needed = state.Received + take;
        if (state.Payload is { } current && current.Length >= needed)
        {
            return;
        }

        int size = Math.Min(state.MessageLength, Math.Max(needed, Math.Max(InitialBufferBytes, (state.Payload?.Length ?? 0) * 2)));
        byte[] grown = MediaBufferPool.Shared.Rent(size);
        if (state.Payload is { } old)
        {
            old.AsSpan(0, state.Received).CopyTo(grown);
            Drop(old);
        }

        state.Payload = grown;
    }

    private void Unreserve(int bytes)
    {
        _pendingBytes -= bytes;
        budget?.Unbuffer(bytes);
    }

    private static void Drop(byte[] buffer)
    {
        if (buffer.Length <= MaxPooledPartialBytes)
        {
            MediaBufferPool.Shared.Return(buffer);
        }
    }

    private ChunkStreamState GetState(int chunkStreamId)
    {
        if ((uint)chunkStreamId < (uint)_shortIds.Length && _shortIds[chunkStreamId] is { } known)
        {
            return known;
        }

        if (_streams.TryGetValue(chunkStreamId, out var state))
        {
            return state;
        }

        if (_streams.Count >= RtmpLimits.MaxChunkStreams)
        {
            throw new RtmpProtocolException($"more than {RtmpLimits.MaxChunkStreams} chunk streams");
        }

        state = new ChunkStreamState(chunkStreamId);
        _streams.Add(chunkStreamId, state);
        if ((uint)chunkStreamId < (uint)_shortIds.Length)
        {
            _shortIds[chunkStreamId] = state;
        }

        return state;
    }

    private void DiscardPayload(ChunkStreamState state)
    {
        if (state.Payload is { } payload)
        {
            Unreserve(state.Received);
            Drop(payload);
            state.Payload = null;
            state.Received = 0;
        }
    }

    private static uint ReadUInt24(ReadOnlySpan<byte> span) => (uint)((span[0] << 16) | (span[1] << 8) | span[2]);
}
