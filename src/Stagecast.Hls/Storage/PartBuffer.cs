using Stagecast.Media;

namespace Stagecast.Hls.Storage;

/// <summary>
/// The bytes of one partial segment (moof + mdat), in a pooled array shared by every request that serves it.
/// The store holds one reference; each response holds one while it writes. The last release returns the array.
/// </summary>
public sealed class PartBuffer
{
    private byte[]? _array;
    private int _refCount = 1;

    private PartBuffer(byte[] array, int length)
    {
        _array = array;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => (_array ?? throw new ObjectDisposedException(nameof(PartBuffer))).AsMemory(0, Length);

    public static PartBuffer Rent(int length) => new(MediaBufferPool.Shared.Rent(length), length);

    /// <summary>Writable view used once, while the part is being written.</summary>
    public Span<byte> GetWritableSpan() => _array.AsSpan(0, Length);

    /// <summary>Takes a reference unless the buffer was already returned; false means it is gone.</summary>
    public bool TryRetain()
    {
        int count = Volatile.Read(ref _refCount);
        while (count > 0)
        {
            int seen = Interlocked.CompareExchange(ref _refCount, count + 1, count);
            if (seen == count)
            {
                return true;
            }

            count = seen;
        }

        return false;
    }

    public void Release()
    {
        int count = Interlocked.Decrement(ref _refCount);
        if (count == 0 && Interlocked.Exchange(ref _array, null) is { } array)
        {
            MediaBufferPool.Shared.Return(array);
        }
        else if (count < 0)
        {
            throw new InvalidOperationException("PartBuffer released more often than retained");
        }
    }
}
