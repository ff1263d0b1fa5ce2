using Stagecast.Media;
using Stagecast.Transport.Epoll;

namespace Stagecast.Hls.Storage;

/// <summary>
/// The bytes of one partial segment (moof + mdat), in a pooled array shared by every request that serves it.
/// The store holds one reference; each response holds one while it writes. The last release returns the array.
/// </summary>
public sealed class PartBuffer
{
    private byte[]? _array;
    private int _refCount = 1;
    private int _fileRequests;
    private MemoryFile? _file;

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

    /// <summary>
    /// The part's bytes in a memory file, for a connection to send without copying them; made when the part is asked
    /// for a second time (a part only one player fetches is not worth the file) and closed with the part. Null
    /// before that, while another request is making it, or when no file could be had. The caller holds a reference.
    /// </summary>
    public MemoryFile? FileForSending()
    {
        if (Volatile.Read(ref _file) is { } file)
        {
            return file;
        }

        if (Interlocked.Increment(ref _fileRequests) != 2 || MemoryFile.TryCreate(Memory.Span) is not { } made)
        {
            return null;
        }

        Volatile.Write(ref _file, made);
        return made;
    }

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
            Interlocked.Exchange(ref _file, null)?.Dispose();
            MediaBufferPool.Shared.Return(array);
        }
        else if (count < 0)
        {
            throw new InvalidOperationException("PartBuffer released more often than retained");
        }
    }
}
