using System.Buffers;

namespace Stagecast.FfmpegProcesses;

/// <summary>
/// Where a feeder writes ffmpeg's next input (an FLV tag, an IVF frame, an Ogg page, MPEG-TS packets): an
/// <see cref="IBufferWriter{T}"/> over buffers rented from <see cref="ArrayPool{T}.Shared"/>, which
/// <see cref="Commit"/> puts in the child's stdin queue as they are, with no copy. A write larger than what is left
/// goes on in another buffer (twice as large, or as large as asked), never by copying what is written. What is
/// committed together is queued, or dropped when the queue is full, whole. One feeder writes at a time.
/// </summary>
public sealed class FfmpegInput : IBufferWriter<byte>
{
    private const int FirstBufferSize = 4096;
    private readonly FfmpegChild _child;
    private InputChunk[] _full = new InputChunk[4];
    private int _fullCount;
    private int _fullBytes;
    private byte[]? _buffer;
    private int _written;

    internal FfmpegInput(FfmpegChild child) => _child = child;

    /// <summary>Bytes written since the last commit.</summary>
    public int WrittenCount => _fullBytes + _written;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > (_buffer?.Length ?? 0) - _written)
        {
            throw new InvalidOperationException("advanced past the buffer asked for");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_written);

    public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_written);

    /// <summary>
    /// Queues what was written since the last commit for stdin, as one write; false when the process is gone. A full
    /// queue drops it, as <see cref="FfmpegChild.TryWriteOwned"/> does. Nothing written, nothing queued.
    /// </summary>
    public bool Commit()
    {
        if (_written > 0)
        {
            Keep(_buffer!, _written);
            _buffer = null;
            _written = 0;
        }

        if (_fullCount == 0)
        {
            return true;
        }

        _full[_fullCount - 1] = _full[_fullCount - 1] with { EndsWrite = true };
        bool queued = _child.TryQueue(_full.AsSpan(0, _fullCount));
        _full.AsSpan(0, _fullCount).Clear();
        _fullCount = 0;
        _fullBytes = 0;
        return queued;
    }

    private byte[] Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer is not null && _buffer.Length - _written >= needed)
        {
            return _buffer;
        }

        int size = Math.Max(needed, _buffer is null ? FirstBufferSize : _buffer.Length * 2);
        if (_buffer is not null && _written > 0)
        {
            Keep(_buffer, _written); // full enough: it goes as it is, the write goes on in the next one
        }
        else if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = ArrayPool<byte>.Shared.Rent(size);
        _written = 0;
        return _buffer;
    }

    private void Keep(byte[] buffer, int length)
    {
        if (_fullCount == _full.Length)
        {
            Array.Resize(ref _full, _full.Length * 2);
        }

        _full[_fullCount++] = new InputChunk(buffer, length, EndsWrite: false);
        _fullBytes += length;
    }
}
