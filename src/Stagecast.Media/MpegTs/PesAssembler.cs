namespace Stagecast.Media.MpegTs;

/// <summary>
/// Puts one elementary stream's PES packets back together from its transport packets. A packet ends when its
/// PES_packet_length is reached or, for unbounded (video) packets, when the next one starts. A gap in the continuity
/// counter drops the packet being built (counted in <see cref="Dropped"/>) and waits for the next start; a repeated
/// packet (same counter) is ignored, as the standard allows one duplicate.
/// </summary>
internal sealed class PesAssembler(TsElementaryStream stream, Action<PesAssembler, byte[], int, bool> completed) : IDisposable
{
    private const int InitialCapacity = 4096;
    private const int Unknown = -1;
    private const int Unbounded = 0;

    private byte[]? _buffer;
    private int _length;
    private int _expected = Unknown;
    private bool _randomAccess;
    private int _lastContinuity = -1;

    public TsElementaryStream Stream => stream;

    /// <summary>PES packets dropped because transport packets were missing.</summary>
    public long Dropped { get; private set; }

    public void Push(in TsPacket packet, ReadOnlySpan<byte> payload)
    {
        if (!packet.HasPayload)
        {
            return; // adaptation field only: the counter does not advance
        }

        if (_lastContinuity >= 0 && !packet.Discontinuity)
        {
            if (packet.ContinuityCounter == _lastContinuity)
            {
                return;
            }

            if (packet.ContinuityCounter != ((_lastContinuity + 1) & 0x0F) && _buffer is not null)
            {
                Drop();
            }
        }

        _lastContinuity = packet.ContinuityCounter;
        if (packet.PayloadUnitStart)
        {
            if (_buffer is not null)
            {
                if (_expected == Unbounded)
                {
                    Complete();
                }
                else
                {
                    Drop(); // a bounded packet that never got all its bytes
                }
            }

            _buffer = MediaBufferPool.Shared.Rent(InitialCapacity);
            _length = 0;
            _expected = Unknown;
            _randomAccess = packet.RandomAccess;
        }
        else if (_buffer is null)
        {
            return; // waiting for the start of a packet
        }

        Append(payload);
        if (_expected == Unknown && PesHeader.PacketLength(_buffer.AsSpan(0, _length)) is { } length)
        {
            _expected = length == 0 ? Unbounded : PesHeader.LengthFieldEnd + length;
        }

        if (_expected > 0 && _length >= _expected)
        {
            _length = _expected; // stuffing after a bounded packet is not part of it
            Complete();
        }
    }

    public void Dispose() => Release();

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length > MediaLimits.MaxPesPacketSize)
        {
            ThrowHelper.Malformed($"PES packet on PID {stream.Pid} exceeds {MediaLimits.MaxPesPacketSize} bytes");
        }

        if (_length + data.Length > _buffer!.Length)
        {
            byte[] larger = MediaBufferPool.Shared.Rent(Math.Max(_buffer.Length * 2, _length + data.Length));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            MediaBufferPool.Shared.Return(_buffer);
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private void Complete()
    {
        byte[] buffer = _buffer!;
        int length = _length;
        _buffer = null;
        _length = 0;
        completed(this, buffer, length, _randomAccess);
    }

    private void Drop()
    {
        Dropped++;
        Release();
    }

    private void Release()
    {
        if (_buffer is not null)
        {
            MediaBufferPool.Shared.Return(_buffer);
            _buffer = null;
            _length = 0;
        }
    }
}
